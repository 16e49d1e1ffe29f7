// string-search (AssemblyScript): the lines of a text that contain a query, like grep -F.
//
// Environment: QUERY  the text to look for (required; an empty query matches every line)
// Input:  /input/hello-world-1.dat  UTF-8 text; lines end with "\n" (a "\r" before it is dropped)
// Output: /output/search_results.dat  each matching line followed by "\n", in input order
import { fail, getEnv, lines, readText, writeText } from '../../../assemblyscript/index';

const query = getEnv('QUERY');
if (query === null) fail('QUERY must be set');
const text = readText('/input/hello-world-1.dat');
const all = lines(text);
const found = new Array<string>();
for (let i = 0; i < all.length; i++) {
  if (all[i].includes(query!)) found.push(all[i]);
}
writeText('/output/search_results.dat', found.length == 0 ? '' : found.join('\n') + '\n');
