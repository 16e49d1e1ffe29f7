// Seeded data for keep-primes: `size` random numbers below 200 000 in /output/number-set.txt,
// where the pipeline's first stage (generate-set) leaves them.
import { createRng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const numbers = Array.from({ length: size }, () => rng.below(200_000));
  return {
    files: files([['/output/number-set.txt', utf8(size === 0 ? '' : `${numbers.join(',')}\n`)]]),
  };
}
