// Seeded data for intersection-set-sum: `size` customers with spends, and about `size`
// advertisement viewers of whom roughly half are customers, written as Veracruz's generator
// writes them: postcard Vec<(String, f64)> and Vec<String>.
import {
  joinBytes,
  postcardF64s,
  postcardLength,
  postcardString,
} from '../../../protocol/index.js';
import { createRng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';

const id = (n: number): string => `user-${n.toString(36).padStart(6, '0')}`;

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const customers: Uint8Array[] = [postcardLength(size)];
  const viewers: Uint8Array[] = [postcardLength(size)];
  for (let i = 0; i < size; i++) {
    customers.push(postcardString(id(2 * i)), postcardF64s([rng.float() * 1000]));
    // Half the viewers are customers (even ids), half are not (odd ids).
    viewers.push(
      postcardString(id(rng.below(2) === 0 ? 2 * rng.below(size) : 2 * rng.below(size) + 1)),
    );
  }
  return {
    files: files([
      ['/input/intersection-advertisement-viewer.dat', joinBytes(viewers)],
      ['/input/intersection-customer.dat', joinBytes(customers)],
    ]),
  };
}
