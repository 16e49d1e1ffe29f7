// Reference for collaborative-training: the same standardisation, gradient descent and scoring as
// main.c, written in TypeScript. exp() differs between libm and V8 in the last bits, so the model
// compares within a tolerance. `train` and `score` also serve the scenario's comparison of the
// union's model with each hospital's model trained alone.
import { f64Bytes, files, readF64s, type ExampleRun, type GuestFiles } from '../support/types.js';

const FEATURES = 4;
const WIDTH = FEATURES + 1;
const STEPS = 300;
const RATE = 0.5;
const L2 = 0.0005;

type Row = readonly number[];

export function rowsOf(bytes: Uint8Array | undefined): Row[] {
  const v = bytes ? readF64s(bytes) : [];
  const out: Row[] = [];
  for (let i = 0; i + WIDTH <= v.length; i += WIDTH) out.push(v.slice(i, i + WIDTH));
  return out;
}

/** Bias and weights in the original units, trained on `rows`. */
export function train(rows: readonly Row[]): number[] {
  const n = rows.length;
  const mean = Array.from({ length: FEATURES }, (_, j) =>
    n ? rows.reduce((s, r) => s + r[j]!, 0) / n : 0,
  );
  const scale = mean.map((m, j) => {
    const s = n ? Math.sqrt(rows.reduce((acc, r) => acc + (r[j]! - m) ** 2, 0) / n) : 0;
    return s === 0 ? 1 : s;
  });
  const w = new Array<number>(WIDTH).fill(0);
  for (let step = 0; step < STEPS && n > 0; step++) {
    const g = new Array<number>(WIDTH).fill(0);
    for (const r of rows) {
      const x = mean.map((m, j) => (r[j]! - m) / scale[j]!);
      const z = x.reduce((s, v, j) => s + w[j + 1]! * v, w[0]!);
      const e = 1 / (1 + Math.exp(-z)) - r[FEATURES]!;
      g[0]! += e;
      x.forEach((v, j) => (g[j + 1]! += e * v));
    }
    w[0]! -= (RATE * g[0]!) / n;
    for (let j = 1; j < WIDTH; j++) w[j]! -= RATE * (g[j]! / n + 2 * L2 * w[j]!);
  }
  const model = [w[0]!, ...w.slice(1).map((v, j) => v / scale[j]!)];
  for (let j = 0; j < FEATURES; j++) model[0]! -= (w[j + 1]! * mean[j]!) / scale[j]!;
  return model;
}

/** [rows, rows predicted right] of `model` on `rows` (predicted 1 when bias + w.x >= 0). */
export function score(model: readonly number[], rows: readonly Row[]): [number, number] {
  let right = 0;
  for (const r of rows) {
    const z = r.slice(0, FEATURES).reduce((s, v, j) => s + model[j + 1]! * v, model[0]!);
    if ((z >= 0 ? 1 : 0) === r[FEATURES]) right++;
  }
  return [rows.length, right];
}

/** The parties of a run (names of their train files), in byte order. */
export function partiesOf(run: ExampleRun): string[] {
  return [...run.files.keys()]
    .map((p) => /^\/input\/train-(.+)\.dat$/.exec(p)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

export function reference(run: ExampleRun): GuestFiles {
  const parties = partiesOf(run);
  const union = parties.flatMap((p) => rowsOf(run.files.get(`/input/train-${p}.dat`)));
  const model = train(union);
  return files([
    ['/output/model.dat', f64Bytes(model)],
    ...parties.map((p): [string, Uint8Array] => [
      `/output/accuracy-${p}.dat`,
      f64Bytes(score(model, rowsOf(run.files.get(`/input/held-out-${p}.dat`)))),
    ]),
  ]);
}
