// Reference for private-set-intersection-sum: decode the postcard vectors, a Set of ids per batch,
// and the postcard (usize, u64) result.
import { concatBytes, PostcardReader, postcardVarint } from '../../../protocol/index.js';
import { files, type ExampleRun, type GuestFiles } from '../support/types.js';

const BASE = '/input/private-set-inter-sum/';

export function reference(run: ExampleRun): GuestFiles {
  const batches = new Set(
    [...run.files.keys()]
      .filter((p) => p.startsWith(BASE))
      .map((p) => p.slice(BASE.length).split('/')[0] ?? ''),
  );
  const out: [string, Uint8Array][] = [];
  for (const batch of batches) {
    const sample = new PostcardReader(run.files.get(`${BASE}${batch}/sample.dat`)!);
    const ids = new Set<string>();
    for (let n = sample.varint(64); n > 0n; n--)
      ids.add(`${sample.varint(64)}:${sample.varint(64)}`);
    sample.end();
    const data = new PostcardReader(run.files.get(`${BASE}${batch}/data.dat`)!);
    let count = 0n;
    let sum = 0n;
    for (let n = data.varint(64); n > 0n; n--) {
      const id = `${data.varint(64)}:${data.varint(64)}`;
      const value = data.varint(64);
      if (!ids.has(id)) continue;
      count += 1n;
      sum += value;
    }
    data.end();
    out.push([
      `/output/private-set-inter-sum/${batch}`,
      concatBytes(postcardVarint(count), postcardVarint(sum)),
    ]);
  }
  return files(out);
}
