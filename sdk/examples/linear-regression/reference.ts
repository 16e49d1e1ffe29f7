// Reference for linear-regression: ordinary least squares as Veracruz's example computes it,
// summing in input order; an undefined line is NaN, NaN (0/0), written as the guest writes it: the
// positive quiet NaN 0x7ff8000000000000 (0/0's sign is the CPU's; the guest fixes it).
import { postcardF64s, readPostcardF64TupleVec } from '../../../protocol/index.js';
import { files, need, type ExampleRun, type GuestFiles } from '../support/types.js';

function fit(points: readonly (readonly [number, number])[]): [number, number] {
  const n = points.length;
  const meanX = points.reduce((s, [x]) => s + x, 0) / n;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) * (x - meanX);
  }
  return [canonical(sxy / sxx), canonical(meanY - (sxy / sxx) * meanX)];
}

/** The literal NaN is 0x7ff8000000000000; a computed one may carry the CPU's sign bit. */
const canonical = (value: number): number => (Number.isNaN(value) ? NaN : value);

export function reference(run: ExampleRun): GuestFiles {
  const values = readPostcardF64TupleVec(need(run, '/input/linear-regression.dat'), 2);
  const points: [number, number][] = [];
  for (let i = 0; i + 1 < values.length; i += 2) points.push([values[i]!, values[i + 1]!]);
  return files([['/output/linear-regression.dat', postcardF64s(fit(points))]]);
}
