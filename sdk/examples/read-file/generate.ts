// Seeded data for read-file: `size` random bytes.
import { createRng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  return { files: files([['/input/hello-world-1.dat', createRng(seed).bytes(size)]]) };
}
