// Seeded data for private-set-intersection: two sets of `size` employee records drawn from a
// shared pool of 2 * size people, so that they overlap by about half.
import { createRng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

const NAMES = [
  'Ada',
  'Alan',
  'Barbara',
  'Claude',
  'Donald',
  'Edsger',
  'Frances',
  'Grace',
  'John',
  'Radia',
];

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const pool = Array.from(
    { length: 2 * size },
    (_, i) =>
      `${rng.pick(NAMES)} ${i},E${(100000 + i).toString()},${rng.between(18, 70)},${rng.between(1, 9)}`,
  );
  const pickSet = (): string => {
    const chosen = new Set<string>();
    while (chosen.size < size) chosen.add(rng.pick(pool));
    return [...chosen].map((row) => `${row}\n`).join('');
  };
  return {
    files: files([
      ['/input/private-set-1.dat', utf8(pickSet())],
      ['/input/private-set-2.dat', utf8(pickSet())],
    ]),
  };
}
