// Reference for number-stream-accumulation: replay the rounds over the whole streams at once.
import { files, need, readF64s, type ExampleRun, type GuestFiles } from '../support/types.js';

export function reference(run: ExampleRun): GuestFiles {
  let total = readF64s(need(run, '/input/number-stream-init.dat'))[0] ?? 0;
  const first = readF64s(need(run, '/input/number-stream-1.dat'));
  const second = readF64s(need(run, '/input/number-stream-2.dat'));
  let count = 0;
  for (let round = 0; round < (run.rounds ?? 1); round++) {
    const a = first[count];
    const b = second[count];
    if (a === undefined || b === undefined) continue;
    total = total + a + b;
    count++;
  }
  const state = new DataView(new ArrayBuffer(16));
  state.setBigUint64(0, BigInt(count), true);
  state.setFloat64(8, total, true);
  return files([['/output/accumulation.dat', new Uint8Array(state.buffer)]]);
}
