// Seeded data for linear-regression: `size` points near a random line, as Veracruz's generator
// writes them: a postcard Vec<(f64, f64)>.
import { postcardF64TupleVec } from '../../../protocol/index.js';
import { createRng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const gradient = rng.float() * 10 - 5;
  const intercept = rng.float() * 200 - 100;
  const values: number[] = [];
  for (let i = 0; i < size; i++) {
    const x = rng.float() * 200 - 100;
    values.push(x, gradient * x + intercept + (rng.float() - 0.5) * 20);
  }
  return { files: files([['/input/linear-regression.dat', postcardF64TupleVec(values, 2)]]) };
}
