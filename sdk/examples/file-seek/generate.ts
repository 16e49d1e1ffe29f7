// Seeded data for file-seek: a text file of `size` lines and a SKIP somewhere inside it (or past
// its end now and then).
import { createRng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const lines = Array.from({ length: size }, (_, i) => `line ${i}: ${rng.u32().toString(36)} é\n`);
  const text = utf8(`# README\n${lines.join('')}`);
  const skip = rng.below(8) === 0 ? text.length + rng.below(10) : rng.below(text.length + 1);
  return { files: files([['/input/README.md', text]]), env: { SKIP: String(skip) } };
}
