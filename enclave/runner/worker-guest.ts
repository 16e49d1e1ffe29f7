// The worker-thread side both execution paths share (core modules in runner/worker-main.ts, WASI
// 0.2 components in component/worker-main.ts): replying to the runner, and turning the guest
// settings into what a WASI host needs (its view of the file system, clock, random, output).
import { parentPort } from 'node:worker_threads';
import type { RightsTable } from '../../protocol/index.js';
import type { InodeTree } from '../vfs/inode-tree.js';
import type { TrackedTree } from '../vfs/snapshot.js';
import type { ClockSource } from '../wasi/host-state.js';
import type { GuestInput, WorkerMessage } from './protocol.js';
import { cryptoRandom, realClock, seededRandom, virtualClock } from './sources.js';

export function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(message, transfer);
}

/** Settings common to the preview 1 host (WasiHostOptions) and the 0.2 host (hostImports). */
export interface GuestHostSettings {
  readonly tree: InodeTree;
  readonly rights: RightsTable;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly clock: ClockSource | undefined;
  readonly random: (into: Uint8Array) => void;
  readonly onOutput: (stream: 'stdout' | 'stderr', bytes: Uint8Array) => void;
}

export function guestHostSettings(input: GuestInput, tracked: TrackedTree): GuestHostSettings {
  const deterministic = input.seed !== undefined;
  return {
    tree: tracked.tree,
    rights: input.rights,
    args: input.args,
    env: input.env,
    clock: input.clock ? (deterministic ? virtualClock() : realClock()) : undefined,
    random: input.seed !== undefined ? seededRandom(input.seed) : cryptoRandom,
    onOutput: (stream, bytes) =>
      post({ type: 'output', stream, bytes }, [bytes.buffer as ArrayBuffer]),
  };
}

/** Reports that the guest trapped (its file system changes are dropped by the runner). */
export function reportTrap(error: unknown): void {
  post({ type: 'trap', message: error instanceof Error ? error.message : String(error) });
}

/** Reports a failure of the worker itself (not of the guest) as ERR_SANDBOX. */
export function reportSandboxFailure(error: unknown): void {
  post({
    type: 'failure',
    code: 'ERR_SANDBOX',
    message: error instanceof Error ? error.message : String(error),
  });
}
