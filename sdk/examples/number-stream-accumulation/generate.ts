// Seeded data for number-stream-accumulation, as Veracruz's number-stream generator writes it: a
// start value and two streams of `size` values, each a postcard f64 (8 little-endian bytes) after
// the other; the program runs min(size, 3) rounds (one round when empty, which it refuses).
import { postcardF64s } from '../../../protocol/index.js';
import { createRng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const stream = (): Uint8Array =>
    postcardF64s(Array.from({ length: size }, () => rng.float() * 1000 - 500));
  return {
    files: files([
      ['/input/number-stream-init.dat', postcardF64s([rng.float() * 100])],
      ['/input/number-stream-1.dat', stream()],
      ['/input/number-stream-2.dat', stream()],
    ]),
    rounds: size === 0 ? 1 : Math.min(size, 3),
  };
}
