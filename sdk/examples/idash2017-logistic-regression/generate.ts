// Seeded data for idash2017-logistic-regression, in the format of Veracruz's generator (its
// `generate` mode): five datasets /input/idash2017/generate-data-{0..4}.dat, each a postcard
// `(training set, test set, iterations, sigmoid degree, gamma_up, gamma_down)`; a row is
// [y, x1..x20] with x ~ N(0, 100) and y = +1 or -1. `size` + 1 rows per test set and 4 times as
// many per training set (Veracruz: 200 rows in 5 folds, so size 39); the first two test rows are
// one of each label, so the AUC is defined. Size 0 gives no dataset.
import { createRng, type Rng } from '../support/prng.js';
import { PostcardWriter } from '../../../protocol/index.js';
import { files, type ExampleRun } from '../support/types.js';

export const IDASH_DIR = '/input/idash2017';
const FOLDS = 5;
const COLUMNS = 20;

/** A normal deviate (Box-Muller). */
function normal(rng: Rng, sigma: number): number {
  const u = 1 - rng.float();
  return sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.float());
}

function row(rng: Rng, label?: 1 | -1): number[] {
  const values = Array.from({ length: COLUMNS + 1 }, () => normal(rng, 100));
  values[0] = label ?? ((values[0] ?? 0) >= 0 ? 1 : -1);
  return values;
}

export interface IdashTask {
  readonly train: readonly (readonly number[])[];
  readonly test: readonly (readonly number[])[];
  readonly iterations: bigint;
  readonly degree: bigint;
  readonly gammaUp: bigint;
  readonly gammaDown: bigint;
}

/** The postcard bytes of one dataset. */
export function encodeTask(task: IdashTask): Uint8Array {
  const w = new PostcardWriter();
  for (const set of [task.train, task.test]) {
    w.varint(set.length, 32);
    for (const r of set) {
      w.varint(r.length, 32);
      for (const x of r) w.f64(x);
    }
  }
  return w
    .varint(task.iterations, 64)
    .varint(task.degree, 64)
    .signed(task.gammaUp, 64)
    .signed(task.gammaDown, 64)
    .bytes();
}

export function generate(seed: number, size: number): ExampleRun {
  if (size === 0) return { files: new Map() };
  const rng = createRng(seed);
  const degree = BigInt([5, 3, 7][seed % 3] ?? 5);
  const entries: [string, Uint8Array][] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const test = Array.from({ length: size + 1 }, (_, i) =>
      row(rng, i === 0 ? 1 : i === 1 ? -1 : undefined),
    );
    const train = Array.from({ length: 4 * (size + 1) }, () => row(rng));
    const task = { train, test, iterations: 7n, degree, gammaUp: 1n, gammaDown: -1n };
    entries.push([`${IDASH_DIR}/generate-data-${fold}.dat`, encodeTask(task)]);
  }
  return { files: files(entries) };
}
