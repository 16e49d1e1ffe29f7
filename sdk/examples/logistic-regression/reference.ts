// Reference for logistic-regression: Veracruz's program (rusty-machine's default logistic
// regressor, docs/guest-programs.md) over the postcard Datasets, written independently of the C
// guest. exp() and ln() differ between libm and V8 in the last bits, so outputs compare within a
// tolerance; the postcard length before the parameters compares exactly.
import { PostcardReader, PostcardWriter } from '../../../protocol/index.js';
import { files, need, type ExampleRun, type GuestFiles } from '../support/types.js';

const INPUTS = ['/input/logistic-regression-0.dat', '/input/logistic-regression-1.dat'] as const;
const ITERS = 100;
const ALPHA = 0.3;
const EPS = 1e-20;

interface Dataset {
  readonly points: number[][];
  readonly classes: number[];
}

function readDataset(path: string, bytes: Uint8Array): Dataset {
  const r = new PostcardReader(bytes);
  const points: number[][] = [];
  const classes: number[] = [];
  try {
    for (let n = r.length(); n > 0; n--) {
      points.push(r.f64s(r.length()));
      classes.push(r.bool() ? 1 : 0);
    }
    r.end();
  } catch (e) {
    throw new Error(`${path}: not a postcard Dataset (${(e as Error).message})`);
  }
  if (points.some((p) => p.length !== points[0]?.length))
    throw new Error(`${path}: points of different dimensions`);
  return { points, classes };
}

/** rulinalg's dot: eight running sums folded in pairs onto the total, then the rest in order. */
function dot(x: readonly number[], y: readonly number[]): number {
  const p = [0, 0, 0, 0, 0, 0, 0, 0];
  let i = 0;
  for (; i + 8 <= x.length; i += 8) for (let k = 0; k < 8; k++) p[k]! += x[i + k]! * y[i + k]!;
  let s = 0;
  for (let k = 0; k < 4; k++) s = s + p[k]! + p[k + 4]!;
  for (; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

/** rulinalg's unrolled_sum: the same, each pair summed before it is added. */
function sum(x: readonly number[]): number {
  const p = [0, 0, 0, 0, 0, 0, 0, 0];
  let i = 0;
  for (; i + 8 <= x.length; i += 8) for (let k = 0; k < 8; k++) p[k]! += x[i + k]!;
  let s = 0;
  for (let k = 0; k < 4; k++) s += p[k]! + p[k + 4]!;
  for (; i < x.length; i++) s += x[i]!;
  return s;
}

/** The parameters, intercept first. */
function train(sets: readonly Dataset[]): number[] {
  // Veracruz's read_all_datasets: empty sets skipped, the first other one fixes the dimension
  // and is left out, the later ones must match it.
  const pooled: Dataset = { points: [], classes: [] };
  let dimension: number | undefined;
  sets.forEach((set, k) => {
    if (set.points.length === 0) return;
    const dim = set.points[0]!.length;
    if (dimension === undefined) dimension = dim;
    else if (dim !== dimension) throw new Error(`${INPUTS[k]}: points of another dimension`);
    else {
      pooled.points.push(...set.points);
      pooled.classes.push(...set.classes);
    }
  });
  const rows = pooled.points.length;
  const x = pooled.points.map((p) => [1, ...p]);
  const cols = rows === 0 ? 1 : x[0]!.length;
  const xt = Array.from({ length: cols }, (_, j) => x.map((row) => row[j]!));
  const t = pooled.classes;
  let beta: number[] = new Array<number>(cols).fill(0.5);
  let previous = 0;
  for (let step = 0; step < ITERS; step++) {
    const o = x.map((row) => 1 / (1 + Math.exp(-dot(row, beta))));
    const cost =
      -sum(o.map((oi, i) => t[i]! * Math.log(oi) + (1 - t[i]!) * Math.log(1 - oi))) / rows;
    const diff = o.map((oi, i) => oi - t[i]!);
    const grad = xt.map((column) => dot(column, diff) / rows);
    if (Math.abs(previous - cost) < EPS) break;
    beta = beta.map((b, j) => b - grad[j]! * ALPHA);
    previous = cost;
  }
  return beta;
}

export function reference(run: ExampleRun): GuestFiles {
  const sets = INPUTS.map((path) => readDataset(path, need(run, path)));
  const beta = train(sets);
  const out = new PostcardWriter().varint(beta.length, 32).f64s(beta).bytes();
  return files([['/output/logistic-regression.dat', out]]);
}
