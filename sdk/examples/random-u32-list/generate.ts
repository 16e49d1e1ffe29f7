// random-u32-list takes no input files: `size` sets COUNT. The seed is unused (the numbers come
// from the host's random source).
import { files, type ExampleRun } from '../support/types.js';

export function generate(_seed: number, size: number): ExampleRun {
  return { files: files([]), env: { COUNT: String(size) } };
}
