// GF(2^8) arithmetic for the Shamir generator and reference, written independently of the guest:
// bitwise carry-less multiplication (no log tables), inverse by exponentiation.

/** Product in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (0x11b). */
export function gfMul(a: number, b: number): number {
  let product = 0;
  let x = a;
  let y = b;
  while (y > 0) {
    if (y & 1) product ^= x;
    x = (x << 1) ^ (x & 0x80 ? 0x11b : 0);
    y >>= 1;
  }
  return product & 0xff;
}

/** Multiplicative inverse: a^254. */
export function gfInverse(a: number): number {
  if (a === 0) throw new RangeError('0 has no inverse in GF(256)');
  let result = 1;
  for (let i = 0; i < 254; i++) result = gfMul(result, a);
  return result;
}

/** Evaluates the polynomial with `coefficients` (constant first) at x. */
export function gfEval(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (let i = coefficients.length - 1; i >= 0; i--)
    value = gfMul(value, x) ^ (coefficients[i] ?? 0);
  return value;
}
