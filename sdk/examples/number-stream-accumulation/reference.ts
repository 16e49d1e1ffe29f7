// Reference for number-stream-accumulation: replay the rounds over the whole streams at once; the
// state is postcard (u64, f64).
import { postcardF64s, postcardLength } from '../../../protocol/index.js';
import { files, need, readF64s, type ExampleRun, type GuestFiles } from '../support/types.js';

export function reference(run: ExampleRun): GuestFiles {
  let total = readF64s(need(run, '/input/number-stream-init.dat'))[0] ?? 0;
  const first = readF64s(need(run, '/input/number-stream-1.dat'));
  const second = readF64s(need(run, '/input/number-stream-2.dat'));
  const rounds = run.rounds ?? 1;
  if (rounds > first.length || rounds > second.length)
    throw new Error(`${rounds} rounds need ${rounds} values in each stream`);
  for (let round = 0; round < rounds; round++) total = total + first[round]! + second[round]!;
  // A u64 is a varint in postcard, as a length is.
  const state = new Uint8Array([...postcardLength(rounds), ...postcardF64s([total])]);
  return files([['/output/accumulation.dat', state]]);
}
