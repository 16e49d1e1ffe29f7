// Reference for private-set-intersection-sum: a Set of hex ids per batch.
import { files, type ExampleRun, type GuestFiles } from '../support/types.js';

const BASE = '/input/private-set-inter-sum/';
const hex = (bytes: Uint8Array, at: number, length: number): string =>
  Buffer.from(bytes.subarray(at, at + length)).toString('hex');

export function reference(run: ExampleRun): GuestFiles {
  const batches = new Set(
    [...run.files.keys()]
      .filter((p) => p.startsWith(BASE))
      .map((p) => p.slice(BASE.length).split('/')[0] ?? ''),
  );
  const out: [string, Uint8Array][] = [];
  for (const batch of batches) {
    const data = run.files.get(`${BASE}${batch}/data.dat`) ?? new Uint8Array();
    const sample = run.files.get(`${BASE}${batch}/sample.dat`) ?? new Uint8Array();
    const ids = new Set<string>();
    for (let i = 0; i + 16 <= sample.length; i += 16) ids.add(hex(sample, i, 16));
    let count = 0n;
    let sum = 0n;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i + 20 <= data.length; i += 20) {
      if (!ids.has(hex(data, i, 16))) continue;
      count += 1n;
      sum += BigInt(view.getUint32(i + 16, true));
    }
    const result = new DataView(new ArrayBuffer(16));
    result.setBigUint64(0, count, true);
    result.setBigUint64(8, sum, true);
    out.push([`/output/private-set-inter-sum/${batch}`, new Uint8Array(result.buffer)]);
  }
  return files(out);
}
