// Reference for intersection-set-sum: count and total spend of customers seen among the viewers.
import { files, fromUtf8, need, type ExampleRun, type GuestFiles } from '../support/types.js';

const rows = (bytes: Uint8Array): string[] =>
  fromUtf8(bytes)
    .split('\n')
    .filter((row) => row !== '');

export function reference(run: ExampleRun): GuestFiles {
  const viewers = new Set(rows(need(run, '/input/intersection-advertisement-viewer.dat')));
  let matches = 0n;
  let total = 0n;
  for (const row of rows(need(run, '/input/intersection-customer.dat'))) {
    const [customer = '', spend = '0'] = row.split(',');
    if (viewers.has(customer)) {
      matches += 1n;
      total += BigInt(spend);
    }
  }
  const out = new DataView(new ArrayBuffer(16));
  out.setBigUint64(0, matches, true);
  out.setBigUint64(8, total, true);
  return files([['/output/intersection-set-sum.dat', new Uint8Array(out.buffer)]]);
}
