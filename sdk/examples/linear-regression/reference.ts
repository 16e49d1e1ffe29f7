// Reference for linear-regression: ordinary least squares, summing in input order like the guest.
import {
  f64Bytes,
  files,
  need,
  readF64s,
  type ExampleRun,
  type GuestFiles,
} from '../support/types.js';

function fit(points: readonly (readonly [number, number])[]): [number, number] | undefined {
  const n = points.length;
  const meanX = points.reduce((s, [x]) => s + x, 0) / n;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) * (x - meanX);
  }
  if (n < 2 || sxx === 0) return undefined;
  return [sxy / sxx, meanY - (sxy / sxx) * meanX];
}

export function reference(run: ExampleRun): GuestFiles {
  const values = readF64s(need(run, '/input/linear-regression.dat'));
  const points: [number, number][] = [];
  for (let i = 0; i + 1 < values.length; i += 2) points.push([values[i] ?? 0, values[i + 1] ?? 0]);
  const line = fit(points);
  return files([['/output/linear-regression.dat', f64Bytes(line ?? [])]]);
}
