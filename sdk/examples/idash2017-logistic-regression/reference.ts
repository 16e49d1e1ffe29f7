// Reference for idash2017-logistic-regression: the same training, written independently over the
// shared postcard reader; every f64 operation in the guest's order (powi by repeated squaring,
// as compiler-rt's __powidf2 and LLVM's expansion both do), so the bytes agree exactly.
import { PostcardReader, PostcardWriter } from '../../../protocol/index.js';
import { files, type ExampleRun, type GuestFiles } from '../support/types.js';
import { IDASH_DIR, type IdashTask } from './generate.js';

const OUTPUT_DIR = '/output/idash2017';

function readSet(r: PostcardReader, what: string): number[][] {
  const rows = r.length();
  if (rows === 0) throw new Error(`the ${what} set is empty`);
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const n = r.length();
    const values: number[] = [];
    for (let j = 0; j < n; j++) values.push(r.f64());
    out.push(values);
  }
  return out;
}

/** Decodes one dataset; throws on a wrong shape. */
function decodeTask(bytes: Uint8Array): IdashTask {
  const r = new PostcardReader(bytes);
  const train = readSet(r, 'training');
  const test = readSet(r, 'test');
  const task = {
    train,
    test,
    iterations: r.varint(64),
    degree: r.varint(64),
    gammaUp: r.signed(64),
    gammaDown: r.signed(64),
  };
  r.end();
  const width = train[0]?.length ?? 0;
  if (width === 0) throw new Error('rows are empty');
  if ([...train, ...test].some((row) => row.length !== width))
    throw new Error('rows of different lengths');
  if (![3n, 5n, 7n].includes(task.degree)) throw new Error(`sigmoid degree ${task.degree}`);
  return task;
}

function powi(x: number, n: number): number {
  let [r, a, b] = [1, x, n];
  for (;;) {
    if (b & 1) r *= a;
    b >>= 1;
    if (b === 0) return r;
    a *= a;
  }
}

const SIGMOID: Record<string, readonly number[]> = {
  '3': [-0.5, 0.15012, -0.001593],
  '5': [-0.5, 0.19131, -0.0045963, 0.0000412332],
  '7': [-0.5, 0.216884, -0.00819276, 0.000165861, -0.00000119581],
};

function sigmoid(degree: bigint, ip: number): number {
  const c = SIGMOID[String(degree)] ?? [];
  let sum = (c[0] ?? 0) + (c[1] ?? 0) * ip;
  for (let k = 2; k < c.length; k++) sum += (c[k] ?? 0) * powi(ip, 2 * k - 1);
  return sum;
}

function normalized(set: readonly (readonly number[])[]): number[][] {
  const max = new Array<number>(set[0]?.length ?? 0).fill(0);
  for (const row of set) row.forEach((x, j) => (max[j] = Math.max(max[j] ?? 0, Math.abs(x))));
  return set.map((row) => row.map((x, j) => x / (max[j] ?? 0)));
}

function dot(a: readonly number[], b: readonly number[], from = 0): number {
  let acc = 0;
  for (let j = from; j < a.length; j++) acc += (a[j] ?? 0) * (b[j] ?? 0);
  return acc;
}

/** Weights, percentage correct and AUC, as Veracruz's port computes them. */
function trainTask(task: IdashTask): [number[], number, number] {
  const train = normalized(task.train);
  const test = normalized(task.test);
  const n = train.length;
  const width = train[0]?.length ?? 0;
  let w = new Array<number>(width).fill(0);
  let v = new Array<number>(width).fill(0);
  let alpha0 = 0.01;
  let alpha1 = (1 + Math.sqrt(1 + 4 * alpha0 * alpha0)) / 2;
  const [up, down] = [Number(task.gammaUp), Number(task.gammaDown)];
  for (let iter = 0; iter < Number(task.iterations); iter++) {
    const eta = (1 - alpha0) / alpha1;
    const gamma = down > 0 ? up / down / n : up / (iter - down) / n;
    const grad = new Array<number>(width).fill(0);
    for (const row of train) {
      const weight = sigmoid(task.degree, dot(row, v));
      row.forEach((x, j) => (grad[j] = (grad[j] ?? 0) + weight * x));
    }
    const newW = v.map((vj, j) => vj - (grad[j] ?? 0) * gamma);
    v = w.map((wj, j) => (1 - eta) * (newW[j] ?? 0) + eta * wj);
    w = newW;
    alpha0 = alpha1;
    alpha1 = (1 + Math.sqrt(1 + 4 * alpha0 * alpha0)) / 2;
  }
  let [missedPositive, missedNegative] = [0, 0];
  const positive: number[] = [];
  const negative: number[] = [];
  for (const row of test) {
    const y = row[0] ?? 0;
    const wrong = dot(row, w) < 0;
    const theta = y * dot(row, w, 1);
    if (y > 0) {
      if (wrong) missedPositive += 1;
      positive.push(theta);
    } else {
      if (wrong) missedNegative += 1;
      negative.push(theta);
    }
  }
  const correct = 100 - (100 * (missedPositive + missedNegative)) / test.length;
  let pairs = 0;
  for (const t of positive) for (const f of negative) pairs += f <= t ? 1 : 0;
  return [w, correct, pairs / (positive.length * negative.length)];
}

export function reference(run: ExampleRun): GuestFiles {
  const out: [string, Uint8Array][] = [];
  for (const [path, bytes] of run.files) {
    if (!path.startsWith(`${IDASH_DIR}/`)) continue;
    const [w, correct, auc] = trainTask(decodeTask(bytes));
    const encoded = new PostcardWriter().varint(w.length, 32);
    for (const x of [...w, correct, auc]) encoded.f64(x);
    out.push([`${OUTPUT_DIR}/${path.slice(IDASH_DIR.length + 1)}`, encoded.bytes()]);
  }
  return files(out);
}
