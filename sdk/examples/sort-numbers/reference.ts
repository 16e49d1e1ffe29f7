// Reference for sort-numbers: Veracruz's program in TypeScript: the text through
// String::from_utf8_lossy, str::trim, split at ",", each field as Rust's u32 (a ParseIntError
// is thrown where Veracruz's unwrap panics), sorted, joined by ",", then "\n".
import { files, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';
import { fromUtf8Lossy, parseRustUnsigned, rustTrim } from '../support/rust-text.js';

/** The sorted line for the text of /output/unsorted_numbers.txt; throws ParseIntError. */
export function sortLine(text: string): string {
  const numbers = rustTrim(text)
    .split(',')
    .map((field) => parseRustUnsigned(field, 32));
  return `${numbers.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(',')}\n`;
}

export function reference(run: ExampleRun): GuestFiles {
  const sorted = sortLine(fromUtf8Lossy(need(run, '/output/unsorted_numbers.txt')));
  return files([['/output/sorted_numbers.txt', utf8(sorted)]]);
}
