// Seeded data for sdk-tour-c: `size` random bytes and a greeting.
import { createRng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  return {
    files: files([['/input/data.bin', rng.bytes(size)]]),
    env: { GREETING: `hello ${rng.u32().toString(36)}` },
  };
}
