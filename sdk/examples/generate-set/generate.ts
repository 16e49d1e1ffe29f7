// generate-set takes no input files: LIMIT = size + 1, so that `size` numbers are written.
import { files, type ExampleRun } from '../support/types.js';

export function generate(_seed: number, size: number): ExampleRun {
  return { files: files([]), env: { LIMIT: String(size + 1) } };
}
