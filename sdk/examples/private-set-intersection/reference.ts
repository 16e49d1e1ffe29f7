// Reference for private-set-intersection: the people in both sets, each once, ordered by name,
// employee id (UTF-8 bytes), age and grade, encoded as a postcard HashSet<Person>.
import { files, need, type ExampleRun, type GuestFiles } from '../support/types.js';
import { decodePeople, encodePeople, type Person } from './people.js';

const key = (p: Person): string => JSON.stringify([p.name, p.employeeId, p.age, p.grade]);

function compare(a: Person, b: Person): number {
  return (
    Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) ||
    Buffer.compare(Buffer.from(a.employeeId), Buffer.from(b.employeeId)) ||
    a.age - b.age ||
    a.grade - b.grade
  );
}

export function reference(run: ExampleRun): GuestFiles {
  const first = decodePeople(need(run, '/input/private-set-1.dat'));
  const second = new Set(decodePeople(need(run, '/input/private-set-2.dat')).map(key));
  const both = new Map(first.filter((p) => second.has(key(p))).map((p) => [key(p), p]));
  return files([['/output/private-set.dat', encodePeople([...both.values()].sort(compare))]]);
}
