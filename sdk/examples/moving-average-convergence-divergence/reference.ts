// Reference for moving-average-convergence-divergence, following the definitions in main.rs (those
// of Veracruz's example): the same floating-point operations in the same order, powers by
// repeated squaring as Rust's powi compiles to.
import { postcardF64TupleVec, readPostcardF64TupleVec } from '../../../protocol/index.js';
import { files, type ExampleRun, type GuestFiles } from '../support/types.js';

function wma(data: readonly number[], window: number): number[] {
  const weights = Array.from({ length: window }, (_, k) => (2 * (k + 1)) / (window * (window + 1)));
  const out: number[] = [];
  for (let i = 0; i + window <= data.length; i++)
    out.push(weights.reduce((sum, weight, k) => sum + data[i + k]! * weight, 0));
  return out;
}

/** x^n for n >= 1: the product of x's repeated squares for n's set bits, lowest first. */
function powi(x: number, n: number): number {
  let result: number | undefined;
  let square = x;
  for (let rest = n; rest > 0; rest >>= 1) {
    if (rest & 1) result = result === undefined ? square : result * square;
    square = square * square;
  }
  return result!;
}

function decisions(prices: readonly number[]): number[] {
  if (prices.length < 34) throw new Error(`${prices.length} prices; MACD needs at least 34`);
  const wma26 = wma(prices, 26);
  const diff = wma(prices, 12)
    .slice(14)
    .slice(0, wma26.length)
    .map((v, i) => v - wma26[i]!);
  const wma9 = wma(diff, 9);
  const macd = diff
    .slice(9)
    .slice(0, wma9.length)
    .map((v, i) => v - wma9[i]!);
  const out: number[] = [];
  for (let i = 0; i + 1 < macd.length; i++) {
    const first = 0.5 * macd[i]!;
    const second = 0.5 * macd[i + 1]!;
    const r = first * second;
    const poly =
      -0.0001 * powi(r, 9) +
      0.0003 * powi(r, 8) +
      0.0025 * powi(r, 7) -
      0.009 * powi(r, 6) -
      0.0253 * powi(r, 5) +
      0.0984 * powi(r, 4) +
      0.0882 * powi(r, 3) -
      0.5173 * powi(r, 2) +
      0.4475 * r -
      0.0753;
    out.push(poly * (first - second));
  }
  return out;
}

export function reference(run: ExampleRun): GuestFiles {
  const out: [string, Uint8Array][] = [];
  for (const [path, data] of run.files) {
    if (!path.startsWith('/input/macd/')) continue;
    const prices = readPostcardF64TupleVec(data, 1);
    out.push([path.replace('/input/', '/output/'), postcardF64TupleVec(decisions(prices), 1)]);
  }
  return files(out);
}
