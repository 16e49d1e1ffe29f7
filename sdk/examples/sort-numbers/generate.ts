// Seeded data for sort-numbers: `size` random u32 in /output/unsorted_numbers.txt, where the
// pipeline's first stage (random-u32-list) leaves them, now and then with what Rust's u32 parser
// and str::trim accept besides: a leading "+" or zeros, White_Space (ASCII or not) around the
// line, a final "\n" or "\r\n" or none. Size 0 is an empty file, which Veracruz's program refuses.
import { createRng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

const AROUND = ['', '', '\n', '\r\n', ' \t', '\u3000', '\u0085', '\u00a0\n'];

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const numbers = Array.from({ length: size }, () => {
    const spelling = ['', '', '', '', '', '+', '0', '+00'][rng.below(8)]!;
    return `${spelling}${rng.u32()}`;
  });
  const text = size === 0 ? '' : `${rng.pick(AROUND)}${numbers.join(',')}${rng.pick(AROUND)}`;
  return { files: files([['/output/unsorted_numbers.txt', utf8(text)]]) };
}
