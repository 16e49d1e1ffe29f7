// The worker-thread side both execution paths share (core modules in runner/worker-main.ts, WASI
// 0.2 components in component/worker-main.ts): replying to the runner, and turning the guest
// settings into what a WASI host needs (its view of the file system, clock, random, output).
import { parentPort } from 'node:worker_threads';
import { VcError, type RightsTable } from '../../protocol/index.js';
import { ResourceLimitError } from '../errors.js';
import type { InodeTree } from '../vfs/inode-tree.js';
import type { TrackedTree } from '../vfs/snapshot.js';
import type { ClockSource, StdinStream } from '../wasi/host-state.js';
import { stdinReader } from './stdin-channel.js';
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
  readonly maxOpenFiles: number;
  readonly stdin: StdinStream | undefined;
}

export function guestHostSettings(input: GuestInput, tracked: TrackedTree): GuestHostSettings {
  const deterministic = input.seed !== undefined;
  let outputBytes = 0;
  return {
    tree: tracked.tree,
    rights: input.rights,
    args: input.args,
    env: input.env,
    clock: input.clock ? (deterministic ? virtualClock() : realClock()) : undefined,
    random: input.seed !== undefined ? seededRandom(input.seed) : cryptoRandom,
    // Output past the budget ends the run: the runner hears it first, then the guest is unwound.
    onOutput: (stream, bytes) => {
      outputBytes += bytes.length;
      if (outputBytes > input.maxOutputBytes) {
        const error = new ResourceLimitError('output-bytes', input.maxOutputBytes, outputBytes);
        post({ type: 'failure', code: error.code, message: error.message });
        throw error;
      }
      post({ type: 'output', stream, bytes }, [bytes.buffer as ArrayBuffer]);
    },
    maxOpenFiles: input.maxOpenFiles,
    stdin: input.stdinChannel
      ? stdinReader(input.stdinChannel, () => post({ type: 'stdin' }))
      : undefined,
  };
}

/** Reports that the guest trapped (its file system changes are dropped by the runner). */
export function reportTrap(error: unknown): void {
  post({ type: 'trap', message: error instanceof Error ? error.message : String(error) });
}

/**
 * Reports a failure of the worker itself (not of the guest) as ERR_SANDBOX, or a typed refusal
 * (e.g. a budget the snapshot already exceeds) with its own code.
 */
export function reportSandboxFailure(error: unknown): void {
  post({
    type: 'failure',
    code: error instanceof VcError ? error.code : 'ERR_SANDBOX',
    message: error instanceof Error ? error.message : String(error),
  });
}
