// Seeded data for private-set-intersection-sum: two batches, each with `size` data records and a
// sample of about `size` ids, half of them taken from the data; written as Veracruz's generator
// writes them: postcard Vec<((u64, u64), u32)> and Vec<(u64, u64)> (every integer a varint).
import { joinBytes, postcardVarint } from '../../../protocol/index.js';
import { createRng, type Rng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';

const BASE = '/input/private-set-inter-sum';

function batch(rng: Rng, size: number): [Uint8Array, Uint8Array] {
  const ids: [bigint, bigint][] = [];
  const data: Uint8Array[] = [postcardVarint(BigInt(size))];
  for (let i = 0; i < size; i++) {
    // Small id halves so that random sample ids sometimes collide with data ids.
    const id: [bigint, bigint] = [BigInt(rng.below(4)), BigInt(rng.u32()) * 2n ** 20n + BigInt(i)];
    ids.push(id);
    data.push(postcardVarint(id[0]), postcardVarint(id[1]), postcardVarint(BigInt(rng.u32())));
  }
  const sample: Uint8Array[] = [postcardVarint(BigInt(size))];
  for (let i = 0; i < size; i++) {
    const from = ids[rng.below(size)]!;
    const known = rng.below(2) === 0;
    sample.push(
      postcardVarint(known ? from[0] : BigInt(rng.below(4))),
      postcardVarint(known ? from[1] : BigInt(rng.u32())),
    );
  }
  return [joinBytes(data), joinBytes(sample)];
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
