// Seeded data for private-set-intersection: two sets of `size` employee records drawn from a
// shared pool of 2 * size people, so that they overlap by about half, each written as Veracruz's
// generator writes it: a postcard HashSet<Person> (Person: name, employee_id, age u8, grade u8).
import { createRng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';
import { encodePeople, type Person } from './people.js';

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
  const pool: Person[] = Array.from({ length: 2 * size }, (_, i) => ({
    name: `${rng.pick(NAMES)} ${i}`,
    employeeId: `E${(100000 + i).toString()}`,
    age: rng.between(18, 70),
    grade: rng.between(1, 9),
  }));
  const pickSet = (): Uint8Array => {
    const chosen = new Set<Person>();
    while (chosen.size < size) chosen.add(rng.pick(pool));
    return encodePeople([...chosen]);
  };
  return {
    files: files([
      ['/input/private-set-1.dat', pickSet()],
      ['/input/private-set-2.dat', pickSet()],
    ]),
  };
}
