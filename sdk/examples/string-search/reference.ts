// Reference for string-search: split into lines, keep those containing QUERY.
import { files, fromUtf8, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

export function reference(run: ExampleRun): GuestFiles {
  const query = run.env?.['QUERY'] ?? '';
  const text = fromUtf8(need(run, '/input/hello-world-1.dat'));
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const found = lines.map((line) => line.replace(/\r$/, '')).filter((line) => line.includes(query));
  return files([['/output/search_results.dat', utf8(found.map((line) => `${line}\n`).join(''))]]);
}
