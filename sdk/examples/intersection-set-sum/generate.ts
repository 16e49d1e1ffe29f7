// Seeded data for intersection-set-sum: `size` customers with spends, and about `size` advertisement
// viewers of whom roughly half are customers.
import { createRng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

const id = (n: number): string => `user-${n.toString(36).padStart(6, '0')}`;

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const customers: string[] = [];
  const viewers: string[] = [];
  for (let i = 0; i < size; i++) {
    customers.push(`${id(2 * i)},${rng.below(1_000_000)}`);
    // Half the viewers are customers (even ids), half are not (odd ids).
    viewers.push(id(rng.below(2) === 0 ? 2 * rng.below(size) : 2 * rng.below(size) + 1));
  }
  const text = (rows: string[]): Uint8Array => utf8(rows.map((row) => `${row}\n`).join(''));
  return {
    files: files([
      ['/input/intersection-advertisement-viewer.dat', text(viewers)],
      ['/input/intersection-customer.dat', text(customers)],
    ]),
  };
}
