// Seeded data for private-poll: `size` voters choosing among options of very unequal popularity
// (so some fall under the threshold), about 2 % spoiled ballots, and a threshold k of 3 to 6.
import { createRng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

const OPTIONS = ['apple', 'banana', 'cherry', 'damson', 'elderberry', 'fig', 'grape'];
const SPOILED = ['', 'apple,banana', 'two\nlines\n', 'cr\r\n'];

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const entries: [string, Uint8Array][] = [
    ['/input/poll-threshold.dat', utf8(`${rng.between(3, 6)}\n`)],
  ];
  for (let i = 0; i < size; i++) {
    const voter = `voter-${i.toString().padStart(7, '0')}`;
    // Squaring a uniform float skews choices towards the first options.
    const choice =
      rng.below(50) === 0
        ? rng.pick(SPOILED)
        : `${OPTIONS[Math.floor(rng.float() ** 2 * OPTIONS.length)]}\n`;
    entries.push([`/input/votes/${voter}`, utf8(choice)]);
  }
  return { files: files(entries) };
}
