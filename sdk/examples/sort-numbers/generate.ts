// Seeded data for sort-numbers: `size` random u32 in /output/unsorted_numbers.txt, where the
// pipeline's first stage (random-u32-list) leaves them.
import { createRng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const numbers = Array.from({ length: size }, () => rng.u32());
  const text = size === 0 ? '' : `${numbers.join(',')}\n`;
  return { files: files([['/output/unsorted_numbers.txt', utf8(text)]]) };
}
