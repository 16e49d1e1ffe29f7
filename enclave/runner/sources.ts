// The guest's sources of time and randomness. Real ones use the host's clocks and CSPRNG; the
// deterministic ones (a seed was given) make a recorded computation re-execute to identical outputs.
import { createHash, getRandomValues } from 'node:crypto';
import type { ClockSource } from '../wasi/host-state.js';

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Host clocks; sleeping blocks the worker in short slices so termination stays prompt. */
export function realClock(): ClockSource {
  const originNs = BigInt(Math.round(performance.timeOrigin * 1e6));
  return {
    realtime: () => originNs + BigInt(Math.round(performance.now() * 1e6)),
    monotonic: () => process.hrtime.bigint(),
    sleep: (ns) => {
      const until = process.hrtime.bigint() + ns;
      for (let left = ns; left > 0n; left = until - process.hrtime.bigint()) {
        Atomics.wait(sleepCell, 0, 0, Math.min(10, Math.max(1, Number(left / 1_000_000n))));
      }
    },
    resolutionNs: 1000n,
  };
}

/** A virtual clock: starts at `epochNs`, advances 1 µs per reading and by the full length of sleeps. */
export function virtualClock(epochNs = 0n): ClockSource {
  let now = epochNs;
  const tick = (): bigint => (now += 1000n);
  return { realtime: tick, monotonic: tick, sleep: (ns) => void (now += ns), resolutionNs: 1000n };
}

export function cryptoRandom(into: Uint8Array): void {
  for (let at = 0; at < into.length; at += 65536) getRandomValues(into.subarray(at, at + 65536));
}

/** SHA-256 in counter mode over the seed: reproducible, and still unpredictable without the seed. */
export function seededRandom(seed: number): (into: Uint8Array) => void {
  let counter = 0;
  let pool = new Uint8Array(0);
  let used = 0;
  return (into) => {
    for (let i = 0; i < into.length; i++) {
      if (used === pool.length) {
        pool = createHash('sha256').update(`veracruz-ts seed ${seed} block ${counter++}`).digest();
        used = 0;
      }
      into[i] = pool[used++] as number;
    }
  };
}
