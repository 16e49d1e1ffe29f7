// Seeded data for private-set-intersection-sum: two batches, each with `size` data records and a
// sample of about `size` ids, half of them taken from the data.
import { createRng, type Rng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';

const BASE = '/input/private-set-inter-sum';

function batch(rng: Rng, size: number): [Uint8Array, Uint8Array] {
  const data = new DataView(new ArrayBuffer(20 * size));
  const sample = new DataView(new ArrayBuffer(16 * size));
  for (let i = 0; i < size; i++) {
    // Small id halves so that random sample ids sometimes collide with data ids.
    data.setBigUint64(20 * i, BigInt(rng.below(4)), true);
    data.setBigUint64(20 * i + 8, BigInt(rng.u32()) * 2n ** 20n + BigInt(i), true);
    data.setUint32(20 * i + 16, rng.u32(), true);
  }
  for (let i = 0; i < size; i++) {
    const from = rng.below(size);
    const known = rng.below(2) === 0;
    sample.setBigUint64(
      16 * i,
      known ? data.getBigUint64(20 * from, true) : BigInt(rng.below(4)),
      true,
    );
    sample.setBigUint64(
      16 * i + 8,
      known ? data.getBigUint64(20 * from + 8, true) : BigInt(rng.u32()),
      true,
    );
  }
  return [new Uint8Array(data.buffer), new Uint8Array(sample.buffer)];
}

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const entries: [string, Uint8Array][] = [];
  for (const name of ['batch-a', 'batch-b']) {
    const [data, sample] = batch(rng, size);
    entries.push([`${BASE}/${name}/data.dat`, data], [`${BASE}/${name}/sample.dat`, sample]);
  }
  return { files: files(entries) };
}
