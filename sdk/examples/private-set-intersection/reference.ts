// Reference for private-set-intersection: records in both sets, deduplicated, sorted by UTF-8 bytes.
import { files, fromUtf8, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

const records = (bytes: Uint8Array): Set<string> =>
  new Set(
    fromUtf8(bytes)
      .split('\n')
      .filter((row) => row !== ''),
  );

export function reference(run: ExampleRun): GuestFiles {
  const first = records(need(run, '/input/private-set-1.dat'));
  const second = records(need(run, '/input/private-set-2.dat'));
  const common = [...first].filter((row) => second.has(row));
  common.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return files([['/output/private-set.dat', utf8(common.map((row) => `${row}\n`).join(''))]]);
}
