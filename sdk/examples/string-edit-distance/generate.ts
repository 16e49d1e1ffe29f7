// Seeded data for string-edit-distance: a text of `size` characters (some outside ASCII) and a
// copy with about one edit in ten characters, as raw UTF-8 (the form of Veracruz's .txt sources;
// its string-generator wraps them in a postcard String, which the example reads as text too).
import { createRng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

const ALPHABET = [...'abcdefghijklmnopqrstuvwxyz     éü世界🙂'];

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const first = Array.from({ length: size }, () => rng.pick(ALPHABET));
  const second: string[] = [];
  for (const char of first) {
    const roll = rng.below(30);
    if (roll === 0) continue; // deletion
    if (roll === 1) second.push(rng.pick(ALPHABET)); // insertion before
    second.push(roll === 2 ? rng.pick(ALPHABET) : char); // substitution or copy
  }
  return {
    files: files([
      ['/input/hello-world-1.dat', utf8(first.join(''))],
      ['/input/hello-world-2.dat', utf8(second.join(''))],
    ]),
  };
}
