// Seeded data for shamir-secret-sharing: a random secret of `size` bytes split into 3 shares
// (any 3 needed), in Veracruz's raw share format: [x, f_1(x), f_2(x), ...].
import { createRng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';
import { gfEval } from './gf256.js';

const SHARE_COUNT = 3;

/** Splits `secret` into `n` shares, any `k` of which rebuild it. */
function split(secret: Uint8Array, n: number, k: number, seed: number): Uint8Array[] {
  const rng = createRng(seed);
  const shares = Array.from({ length: n }, (_, i) => {
    const share = new Uint8Array(secret.length + 1);
    share[0] = i + 1;
    return share;
  });
  secret.forEach((byte, position) => {
    const coefficients = [byte, ...Array.from({ length: k - 1 }, () => rng.between(1, 255))];
    shares.forEach((share, i) => (share[position + 1] = gfEval(coefficients, i + 1)));
  });
  return shares;
}

export function generate(seed: number, size: number): ExampleRun {
  const secret = createRng(seed ^ 0x5eed).bytes(size);
  const shares = split(secret, SHARE_COUNT, SHARE_COUNT, seed);
  return { files: files(shares.map((share, i) => [`/input/shamir-${i}.dat`, share])) };
}

/** The three shares of "Hello World!" from Veracruz's CLI quickstart (docs/CLI_QUICKSTART.md). */
export const quickstartShares: readonly string[] = [
  '01dc061a7bdaf77616dd5915f3b4',
  '027f38e27b5a02a288d064965364',
  '03eb5b946cefd583f17f51e781da',
];
