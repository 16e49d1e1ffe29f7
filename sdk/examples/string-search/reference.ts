// Reference for string-search: Veracruz's program in TypeScript: the text through
// String::from_utf8_lossy, Rust 1.66's str::lines, the lines containing QUERY, each with "\n".
import { files, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';
import { fromUtf8Lossy, rustLines } from '../support/rust-text.js';

export function reference(run: ExampleRun): GuestFiles {
  const query = run.env?.['QUERY'];
  if (query === undefined) throw new Error('string-search: QUERY is not set');
  const lines = rustLines(fromUtf8Lossy(need(run, '/input/hello-world-1.dat')));
  const found = lines.filter((line) => line.includes(query));
  return files([['/output/search_results.dat', utf8(found.map((line) => `${line}\n`).join(''))]]);
}
