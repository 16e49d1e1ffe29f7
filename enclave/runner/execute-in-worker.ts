// The main-thread side both execution paths share (core modules in run-program.ts, WASI 0.2
// components in component/run-component.ts): what the guest sees, and running it in a worker
// thread within the time limit. File system changes come back as one diff, applied only when the
// guest finished normally; after a trap, a failure or a timeout the file system is left as it was.
import type { Worker } from 'node:worker_threads';
import { VcError, joinBytes } from '../../protocol/index.js';
import { ExecutionTimeoutError, GuestTrapError, ResourceLimitError } from '../errors.js';
import { transferables, type VfsSnapshot } from '../vfs/snapshot.js';
import type { NativeSettings, SpecialFileModule } from '../native/special-files.js';
import { StdinFeeder } from './stdin-channel.js';
import type { GuestInput, WorkerMessage } from './protocol.js';
import type { RunLimits, RunOptions, RunResult } from './run-options.js';

function snapshotFor(options: RunOptions, limits: RunLimits): VfsSnapshot {
  const base = options.vfs.snapshot(options.rights);
  const bounded: VfsSnapshot = {
    ...base,
    quotaBytes: Math.min(base.quotaBytes, limits.quotaBytes ?? Number.POSITIVE_INFINITY),
    maxDepth: Math.min(base.maxDepth, limits.maxDepth),
    maxNameBytes: Math.min(base.maxNameBytes, limits.maxNameBytes),
  };
  if (options.stdin === undefined) return bounded;
  const entries = base.entries.filter((e) => e.path !== 'stdin');
  entries.push({ path: 'stdin', kind: 'file', data: options.stdin.slice() });
  return { ...bounded, entries };
}

/** The main thread's side of each streamed stdin, by the buffer the worker gets. */
const stdinFeeders = new WeakMap<SharedArrayBuffer, StdinFeeder>();

/** The executing principal's view of the file system and the guest's settings, as of now. */
export function guestInput(options: RunOptions, limits: RunLimits): GuestInput {
  let stdinChannel: SharedArrayBuffer | undefined;
  if (options.stdinStream) {
    const feeder = new StdinFeeder(options.stdinStream);
    stdinChannel = feeder.shared;
    stdinFeeders.set(stdinChannel, feeder);
  }
  return {
    stdinChannel,
    snapshot: snapshotFor(options, limits),
    rights: options.rights,
    args: [options.programName ?? 'program.wasm', ...(options.args ?? [])],
    env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    clock: options.clock ?? false,
    seed: options.seed,
    maxOutputBytes: limits.maxOutputBytes,
    maxOpenFiles: limits.maxOpenFiles,
    ...nativeSettings(options, limits),
  };
}

/** The special-file modules of the policy and the limits of a dynamic module's process. */
function nativeSettings(options: RunOptions, limits: RunLimits): { native?: NativeSettings } {
  const modules: SpecialFileModule[] = [];
  for (const { name, type } of options.nativeModules ?? []) {
    if (type.kind === 'static') modules.push({ name, specialFile: type.specialFile });
    if (type.kind === 'dynamic')
      modules.push({ name, specialFile: type.specialFile, dynamicEntry: type.entryPoint });
  }
  if (modules.length === 0) return {};
  return {
    native: {
      modules,
      memoryMib: limits.maxMemoryMib,
      timeoutMs: nativeTimeoutMs(limits),
      deadline: Date.now() + nativeTimeoutMs(limits),
    },
  };
}

/** One native process's time limit within the execution's budget. */
export function nativeTimeoutMs(limits: RunLimits): number {
  return limits.nativeTimeoutMs ?? Math.max(1, limits.timeoutMs - 500);
}

/**
 * Sends `input` to a fresh `worker` (from a WorkerPool) and settles with the guest's result or its
 * error; the worker is terminated either way. `label` names it in ERR_SANDBOX messages ("sandbox",
 * "component").
 */
export function executeInWorker(
  worker: Worker,
  input: GuestInput,
  options: RunOptions,
  limits: RunLimits,
  label: string,
): Promise<RunResult> {
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  let outputBytes = 0;
  const feeder = input.stdinChannel && stdinFeeders.get(input.stdinChannel);
  const deadline = Date.now() + limits.timeoutMs;
  return new Promise<RunResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: VcError | undefined, result?: RunResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (error) reject(error);
      else resolve(result as RunResult);
    };
    const timer = setTimeout(
      () => finish(new ExecutionTimeoutError(limits.timeoutMs)),
      limits.timeoutMs,
    );
    worker.on('message', (message: WorkerMessage) => {
      if (settled) return;
      // Node may deliver a batch of queued messages without running timers in between; the
      // budget is checked here too, so the handling of a guest's output cannot outlast it.
      if (Date.now() > deadline) return finish(new ExecutionTimeoutError(limits.timeoutMs));
      switch (message.type) {
        case 'ready':
          return;
        case 'output':
          outputBytes += message.bytes.length;
          // The worker's host refuses output past the budget first; this holds for any worker.
          if (outputBytes > limits.maxOutputBytes)
            return finish(
              new ResourceLimitError('output-bytes', limits.maxOutputBytes, outputBytes),
            );
          (message.stream === 'stdout' ? stdout : stderr).push(message.bytes);
          (message.stream === 'stdout' ? options.onStdout : options.onStderr)?.(message.bytes);
          return;
        case 'trace':
          options.trace?.(message.line);
          return;
        case 'stdin':
          feeder
            ?.fill()
            .catch((error: unknown) =>
              finish(new VcError('ERR_SANDBOX', `reading standard input: ${String(error)}`)),
            );
          return;
        case 'trap':
          return finish(new GuestTrapError(message.message));
        case 'failure':
          return finish(new VcError(message.code, message.message));
        case 'exit':
          options.vfs.apply(message.diff);
          return finish(undefined, {
            exitCode: message.exitCode,
            stdout: joinBytes(stdout),
            stderr: joinBytes(stderr),
          });
      }
    });
    worker.on('error', (error) =>
      finish(new VcError('ERR_SANDBOX', `${label} worker failed: ${error.message}`)),
    );
    worker.on('exit', (code) =>
      finish(new VcError('ERR_SANDBOX', `${label} worker exited early (${code})`)),
    );
    worker.postMessage(input, transferables(input.snapshot.entries));
  });
}
