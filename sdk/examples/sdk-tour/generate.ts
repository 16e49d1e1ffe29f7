// Seeded data for sdk-tour: `size` random bytes, a greeting and two arguments.
import { createRng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  return {
    files: files([['/input/data.bin', rng.bytes(size)]]),
    env: { GREETING: `hello ${rng.u32().toString(36)}` },
    args: ['alpha', `beta-${seed}`],
  };
}
