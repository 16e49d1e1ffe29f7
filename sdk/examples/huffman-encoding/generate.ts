// Seeded data for huffman-encoding: `size` bytes of text with skewed letter frequencies (and a
// few arbitrary bytes).
import { createRng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';

const COMMON = Buffer.from('eeeeeeetttttaaaaoooiiinnnsshhrrdlcumwfgypbvkjxqz    \n');

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const text = new Uint8Array(size);
  for (let i = 0; i < size; i++)
    text[i] = rng.below(50) === 0 ? rng.below(256) : (COMMON[rng.below(COMMON.length)] ?? 32);
  return { files: files([['/input/hello-world-1.dat', text]]) };
}
