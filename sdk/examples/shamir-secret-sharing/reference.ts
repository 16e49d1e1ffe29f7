// Reference for shamir-secret-sharing: Lagrange interpolation at 0 over GF(256), per byte.
import { files, type ExampleRun, type GuestFiles } from '../support/types.js';
import { gfInverse, gfMul } from './gf256.js';

function sharesOf(run: ExampleRun): Uint8Array[] {
  const shares: Uint8Array[] = [];
  for (let i = 0; ; i++) {
    const share = run.files.get(`/input/shamir-${i}.dat`);
    if (!share) return shares;
    shares.push(share);
  }
}

function combine(shares: readonly Uint8Array[]): Uint8Array {
  if (shares.length === 0) return new Uint8Array(0);
  const length = Math.min(...shares.map((s) => s.length));
  if (length === 0) return new Uint8Array(0);
  const xs = shares.map((s) => s[0] ?? 0);
  const weights = xs.map((xi, i) =>
    xs.reduce((w, xj, j) => (i === j ? w : gfMul(w, gfMul(xj, gfInverse(xj ^ xi)))), 1),
  );
  const secret = new Uint8Array(length - 1);
  for (let p = 1; p < length; p++) {
    secret[p - 1] = shares.reduce(
      (acc, share, i) => acc ^ gfMul(weights[i] ?? 0, share[p] ?? 0),
      0,
    );
  }
  return secret;
}

export function reference(run: ExampleRun): GuestFiles {
  return files([['/output/shamir.dat', combine(sharesOf(run))]]);
}
