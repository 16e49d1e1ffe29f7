// Seeded data for moving-average-convergence-divergence: two price series of `size` days each,
// random walks around 100.
import { createRng } from '../support/prng.js';
import { f64Bytes, files, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const series = (): Uint8Array => {
    let price = 80 + rng.float() * 40;
    return f64Bytes(
      Array.from({ length: size }, () => (price = Math.max(1, price + rng.float() * 4 - 2))),
    );
  };
  return {
    files: files([
      ['/input/macd/apple.dat', series()],
      ['/input/macd/pear.dat', series()],
    ]),
  };
}
