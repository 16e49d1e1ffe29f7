// Seeded data for collaborative-training: three hospitals whose patients differ (each its own
// centre and spread of the four measurements, and its own size: `size`, a third of it, and a
// twenty-fifth) but share one underlying risk: the label is drawn from a logistic model of the
// measurements, the same for all. The measurements are correlated (the second follows the first,
// the third the second). Each hospital has training rows and held-out rows.
import { createRng, type Rng } from '../support/prng.js';
import { f64Bytes, files, type ExampleRun } from '../support/types.js';

const FEATURES = 4;

interface Site {
  readonly name: string;
  readonly centre: readonly number[];
  readonly spread: number;
  readonly train: number;
  readonly heldOut: number;
}

/** The hospitals for a size: training rows `size`, `size / 3` and `size / 25` (rounded up). */
function sites(size: number): Site[] {
  const part = (n: number) => Math.ceil(size / n);
  return [
    { name: 'hospital-a', centre: [0.5, 0.2, -0.3, 0.1], spread: 1, train: size, heldOut: part(2) },
    {
      name: 'hospital-b',
      centre: [-1, 0.8, 0.4, -0.5],
      spread: 1.5,
      train: part(3),
      heldOut: part(2),
    },
    {
      name: 'hospital-c',
      centre: [1.2, -0.8, 0.9, 0.6],
      spread: 0.7,
      train: part(25),
      heldOut: part(2),
    },
  ];
}

const MIDDLE = [0.23, 0.07, 0.33, 0.07];

function normal(rng: Rng): number {
  const u = Math.max(rng.float(), 2 ** -32);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.float());
}

/** `count` rows of a site: four correlated measurements and a label from the shared risk model. */
function rows(rng: Rng, site: Site, truth: readonly number[], count: number): Uint8Array {
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const z = [normal(rng), normal(rng), normal(rng), normal(rng)];
    const x = [z[0]!, 0.8 * z[0]! + 0.6 * z[1]!, 0.5 * z[1]! + 0.866 * z[2]!, z[3]!].map(
      (v, j) => site.centre[j]! + site.spread * v,
    );
    // Centred on the middle of the three sites, so that every site has both labels.
    const logit = truth[0]! + x.reduce((sum, v, j) => sum + truth[j + 1]! * (v - MIDDLE[j]!), 0);
    const label = rng.float() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    values.push(...x, label);
  }
  return f64Bytes(values);
}

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  // The shared risk model: a bias and one weight per measurement, well away from 0.
  const truth = [
    rng.float() - 0.5,
    ...Array.from(
      { length: FEATURES },
      () => (rng.float() < 0.5 ? -1 : 1) * (1.5 + rng.float() * 1.5),
    ),
  ];
  const entries: [string, Uint8Array][] = [];
  for (const site of sites(size)) {
    entries.push([`/input/train-${site.name}.dat`, rows(rng, site, truth, site.train)]);
    entries.push([`/input/held-out-${site.name}.dat`, rows(rng, site, truth, site.heldOut)]);
  }
  return { files: files(entries) };
}
