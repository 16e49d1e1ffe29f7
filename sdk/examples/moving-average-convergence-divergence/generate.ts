// Seeded data for moving-average-convergence-divergence: two price series of `size` days each,
// random walks around 100, each a postcard Vec<f64> as Veracruz's MACD generator writes it.
import { createRng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';
import { postcardF64TupleVec } from '../../../protocol/index.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const series = (): Uint8Array => {
    let price = 80 + rng.float() * 40;
    return postcardF64TupleVec(
      Array.from({ length: size }, () => (price = Math.max(1, price + rng.float() * 4 - 2))),
      1,
    );
  };
  return {
    files: files([
      ['/input/macd/apple.dat', series()],
      ['/input/macd/pear.dat', series()],
    ]),
  };
}
