// random-source takes no input: it only draws 32 bytes from the host's random source.
import { files, type ExampleRun } from '../support/types.js';

export function generate(_seed: number, _size: number): ExampleRun {
  return { files: files([]) };
}
