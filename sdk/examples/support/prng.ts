// A small seeded pseudo-random generator for the example data generators (SplitMix32-style
// mixing over a 32-bit counter): deterministic given the seed, fast, and the same on every
// platform. Not for cryptography.

export interface Rng {
  /** A uniform integer in [0, 2^32). */
  u32(): number;
  /** A uniform integer in [0, n), n <= 2^32. */
  below(n: number): number;
  /** A uniform integer in [min, max] (inclusive). */
  between(min: number, max: number): number;
  /** A uniform float in [0, 1) with 32 bits of randomness. */
  float(): number;
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
  /** A random element of `items` (non-empty). */
  pick<T>(items: readonly T[]): T;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const u32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const below = (n: number): number => Math.floor((u32() / 2 ** 32) * n);
  return {
    u32,
    below,
    between: (min, max) => min + below(max - min + 1),
    float: () => u32() / 2 ** 32,
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = u32() & 0xff;
      return out;
    },
    pick: (items) => {
      const item = items[below(items.length)];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
  };
}
