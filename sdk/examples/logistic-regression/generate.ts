// Seeded data for logistic-regression: two parties' postcard Datasets (Veracruz's type:
// `Vec<PointAndClassification { point: Vec<f64>, classification: bool }>`) of `size` points each
// in two dimensions, labelled by a noisy linear rule.
import { PostcardWriter } from '../../../protocol/index.js';
import { createRng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';

export interface LabelledPoint {
  readonly point: readonly number[];
  readonly classification: boolean;
}

/** A postcard `Dataset` of these points. */
export function encodeDataset(points: readonly LabelledPoint[]): Uint8Array {
  const w = new PostcardWriter().varint(points.length, 32);
  for (const p of points) w.varint(p.point.length, 32).f64s(p.point).bool(p.classification);
  return w.bytes();
}

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const [w1, w2, bias] = [rng.float() * 4 - 2, rng.float() * 4 - 2, rng.float() - 0.5];
  const party = (): Uint8Array => {
    const points: LabelledPoint[] = [];
    for (let i = 0; i < size; i++) {
      const x1 = rng.float() * 4 - 2;
      const x2 = rng.float() * 4 - 2;
      const classification = w1 * x1 + w2 * x2 + bias + (rng.float() - 0.5) > 0;
      points.push({ point: [x1, x2], classification });
    }
    return encodeDataset(points);
  };
  return {
    files: files([
      ['/input/logistic-regression-0.dat', party()],
      ['/input/logistic-regression-1.dat', party()],
    ]),
  };
}
