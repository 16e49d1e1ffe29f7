// Reference for logistic-regression: the same gradient descent, vectorised over pooled rows.
// exp() differs between libm and V8 in the last bits, so outputs compare within a tolerance.
import {
  f64Bytes,
  files,
  need,
  readF64s,
  type ExampleRun,
  type GuestFiles,
} from '../support/types.js';

const STEPS = 200;
const RATE = 0.5;

function train(rows: readonly (readonly [number, number, number])[]): [number, number, number] {
  let [bias, w1, w2] = [0, 0, 0];
  if (rows.length === 0) return [bias, w1, w2];
  for (let step = 0; step < STEPS; step++) {
    let [g0, g1, g2] = [0, 0, 0];
    for (const [x1, x2, y] of rows) {
      const e = 1 / (1 + Math.exp(-(bias + w1 * x1 + w2 * x2))) - y;
      g0 += e;
      g1 += e * x1;
      g2 += e * x2;
    }
    bias -= (RATE * g0) / rows.length;
    w1 -= (RATE * g1) / rows.length;
    w2 -= (RATE * g2) / rows.length;
  }
  return [bias, w1, w2];
}

export function reference(run: ExampleRun): GuestFiles {
  const rows: [number, number, number][] = [];
  for (const path of ['/input/logistic-regression-0.dat', '/input/logistic-regression-1.dat']) {
    const v = readF64s(need(run, path));
    for (let i = 0; i + 3 <= v.length; i += 3) rows.push([v[i] ?? 0, v[i + 1] ?? 0, v[i + 2] ?? 0]);
  }
  return files([['/output/logistic-regression.dat', f64Bytes(train(rows))]]);
}
