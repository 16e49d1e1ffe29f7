// `wasi:clocks` and `wasi:random` for the component host. Clocks come from the same ClockSource as
// the preview 1 host and exist only when the policy enables them; WASI 0.2 clock functions cannot
// fail, so without a clock the guest reads a clock stopped at zero (it learns no time at all).
// Random bytes come from the injected generator (a CSPRNG, or a seeded one in deterministic mode).
import type { ClockSource } from '../../wasi/host-state.js';
import { Pollable } from './io.js';

export interface ClockRandomContext {
  readonly clock?: ClockSource | undefined;
  readonly random: (into: Uint8Array) => void;
}

const NS_PER_S = 1_000_000_000n;

function timer(clock: ClockSource | undefined, deadline: bigint): Pollable {
  return new Pollable({
    ready: () => clock === undefined || clock.monotonic() >= deadline,
    block: () => {
      const left = clock === undefined ? 0n : deadline - clock.monotonic();
      if (clock && left > 0n) clock.sleep(left);
    },
  });
}

export function clockImports(ctx: ClockRandomContext): Record<string, Record<string, unknown>> {
  const { clock } = ctx;
  const monotonic = (): bigint => clock?.monotonic() ?? 0n;
  const resolution = (): bigint => clock?.resolutionNs ?? 1n;
  return {
    'wasi:clocks/wall-clock': {
      now: () => {
        const ns = clock?.realtime() ?? 0n;
        return { seconds: ns / NS_PER_S, nanoseconds: Number(ns % NS_PER_S) };
      },
      resolution: () => {
        const ns = resolution();
        return { seconds: ns / NS_PER_S, nanoseconds: Number(ns % NS_PER_S) };
      },
    },
    'wasi:clocks/monotonic-clock': {
      now: monotonic,
      resolution,
      subscribeInstant: (when: bigint) => timer(clock, when),
      subscribeDuration: (ns: bigint) => timer(clock, monotonic() + ns),
    },
  };
}

export function randomImports(ctx: ClockRandomContext): Record<string, Record<string, unknown>> {
  const bytes = (len: bigint): Uint8Array => {
    const out = new Uint8Array(Number(len));
    ctx.random(out);
    return out;
  };
  const u64 = (): bigint => new DataView(bytes(8n).buffer).getBigUint64(0, true);
  return {
    'wasi:random/random': { getRandomBytes: bytes, getRandomU64: u64 },
    'wasi:random/insecure': { getInsecureRandomBytes: bytes, getInsecureRandomU64: u64 },
    'wasi:random/insecure-seed': { insecureSeed: (): [bigint, bigint] => [u64(), u64()] },
  };
}
