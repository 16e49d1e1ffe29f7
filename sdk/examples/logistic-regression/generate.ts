// Seeded data for logistic-regression: two parties with `size` points each around two centres,
// labelled by a noisy linear rule.
import { createRng } from '../support/prng.js';
import { f64Bytes, files, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const [w1, w2, bias] = [rng.float() * 4 - 2, rng.float() * 4 - 2, rng.float() - 0.5];
  const party = (): Uint8Array => {
    const values: number[] = [];
    for (let i = 0; i < size; i++) {
      const x1 = rng.float() * 4 - 2;
      const x2 = rng.float() * 4 - 2;
      const label = w1 * x1 + w2 * x2 + bias + (rng.float() - 0.5) > 0 ? 1 : 0;
      values.push(x1, x2, label);
    }
    return f64Bytes(values);
  };
  return {
    files: files([
      ['/input/logistic-regression-0.dat', party()],
      ['/input/logistic-regression-1.dat', party()],
    ]),
  };
}
