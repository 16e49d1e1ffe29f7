// string-search (AssemblyScript): Veracruz's string-search: the lines of a text that contain a
// query (docs/guest-programs.md, "Rust's text rules").
//
// Environment: QUERY  the text to look for (required: missing is a message and exit 1; an empty
//                     query matches every line)
// Input:  /input/hello-world-1.dat  any bytes, read as Rust's String::from_utf8_lossy reads them
//         (each ill-formed UTF-8 subpart becomes U+FFFD); lines as Rust 1.66's str::lines splits
//         them: at "\n", no empty last line after a final "\n", one "\r" dropped from each line's end
// Output: /output/search_results.dat  each matching line followed by "\n", in input order (empty
//         when none matches); nothing is written on an error
import { fail, getEnv, lines, readTextLossy, writeText } from '../../../assemblyscript/index';

const query = getEnv('QUERY');
if (query === null) fail('string-search: QUERY is not set (the text to look for)');
const all = lines(readTextLossy('/input/hello-world-1.dat'));
const found = new Array<string>();
for (let i = 0; i < all.length; i++) {
  if (all[i].includes(query!)) found.push(all[i]);
}
writeText('/output/search_results.dat', found.length == 0 ? '' : found.join('\n') + '\n');
