// Seeded data for number-stream-accumulation: a starting value and two streams of `size` values;
// the program runs min(size, 3) rounds (one round when empty).
import { createRng } from '../support/prng.js';
import { f64Bytes, files, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const stream = (): Uint8Array =>
    f64Bytes(Array.from({ length: size }, () => rng.float() * 1000 - 500));
  return {
    files: files([
      ['/input/number-stream-init.dat', f64Bytes([rng.float() * 100])],
      ['/input/number-stream-1.dat', stream()],
      ['/input/number-stream-2.dat', stream()],
    ]),
    rounds: size === 0 ? 1 : Math.min(size, 3),
  };
}
