// Reference for moving-average-convergence-divergence, following the definitions in main.rs.
import { f64Bytes, files, readF64s, type ExampleRun, type GuestFiles } from '../support/types.js';

const POLY = [-0.0001, 0.0003, 0.0025, -0.009, -0.0253, 0.0984, 0.0882, -0.5173, 0.4475, -0.0753];

function wma(data: readonly number[], window: number): number[] {
  const weights = Array.from({ length: window }, (_, k) => (2 * (k + 1)) / (window * (window + 1)));
  const out: number[] = [];
  for (let i = 0; i + window <= data.length; i++) {
    out.push(weights.reduce((sum, weight, k) => sum + (data[i + k] ?? 0) * weight, 0));
  }
  return out;
}

function decisions(prices: readonly number[]): number[] {
  const wma26 = wma(prices, 26);
  const diff = wma(prices, 12)
    .slice(14)
    .slice(0, wma26.length)
    .map((v, i) => v - (wma26[i] ?? 0));
  const wma9 = wma(diff, 9);
  const macd = diff
    .slice(9)
    .slice(0, wma9.length)
    .map((v, i) => v - (wma9[i] ?? 0));
  const out: number[] = [];
  for (let i = 0; i + 1 < macd.length; i++) {
    const a = 0.5 * (macd[i] ?? 0);
    const b = 0.5 * (macd[i + 1] ?? 0);
    const r = a * b;
    out.push(POLY.reduce((poly, c) => poly * r + c, 0) * (a - b));
  }
  return out;
}

export function reference(run: ExampleRun): GuestFiles {
  const out: [string, Uint8Array][] = [];
  for (const [path, data] of run.files) {
    if (!path.startsWith('/input/macd/')) continue;
    out.push([path.replace('/input/', '/output/'), f64Bytes(decisions(readF64s(data)))]);
  }
  return files(out);
}
