// Reference for file-seek: Veracruz's program in TypeScript: SKIP as Rust's u64, the bytes from
// there on, through String::from_utf8_lossy.
import { files, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';
import { fromUtf8Lossy, parseRustUnsigned } from '../support/rust-text.js';

export function reference(run: ExampleRun): GuestFiles {
  const input = need(run, '/input/README.md');
  const skipText = run.env?.['SKIP'];
  if (skipText === undefined) throw new Error('file-seek: SKIP is not set');
  const skip = parseRustUnsigned(skipText, 64);
  if (skip > 2n ** 63n - 1n) throw new Error('file-seek: SKIP is beyond any seekable offset');
  const rest = skip >= BigInt(input.length) ? new Uint8Array(0) : input.subarray(Number(skip));
  return files([['/output/NEW_README.md', utf8(fromUtf8Lossy(rest))]]);
}
