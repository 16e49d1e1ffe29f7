// Runs one WebAssembly program over the virtual file system as one principal, in a worker thread
// of its own, within limits. File system changes come back as one diff, applied only when the
// program finished normally (returned from _start or called proc_exit, whatever the code); after a
// trap or a timeout the file system is left exactly as it was.
import type { Worker } from 'node:worker_threads';
import { VcError } from '../../protocol/errors.js';
import type { RightsTable } from '../../protocol/policy/types.js';
import { ExecutionTimeoutError, GuestTrapError } from '../errors.js';
import type { VfsSnapshot } from '../vfs/snapshot.js';
import { transferables } from '../vfs/snapshot.js';
import type { Vfs } from '../vfs/vfs.js';
import type { WasmModule } from '../wasm-api.js';
import { isComponent } from '../component/detect.js';
import { runComponent } from '../component/run-component.js';
import { checkModule } from './check-module.js';
import { compileGuest } from './compile.js';
import type { WorkerInput, WorkerMessage } from './protocol.js';
import { replenish, takeWorker } from './worker-pool.js';

export interface RunLimits {
  /** Cap on the guest's linear memory (Veracruz's max_memory_mib). */
  readonly maxMemoryMib: number;
  /** Wall-clock budget of the execution, worker start included. */
  readonly timeoutMs: number;
  /** Byte quota for this run (the lower of this and the Vfs's own quota applies). */
  readonly quotaBytes?: number;
}

export const DEFAULT_LIMITS: RunLimits = { maxMemoryMib: 256, timeoutMs: 60_000 };

export interface RunOptions {
  readonly program: Uint8Array;
  readonly vfs: Vfs;
  /** Rights of the executing principal (the program's entry of the policy). */
  readonly rights: RightsTable;
  /** argv[0] seen by the guest. */
  readonly programName?: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly limits?: Partial<RunLimits>;
  /** Veracruz's enable_clock: without it every clock call fails with ENOTCAPABLE. */
  readonly clock?: boolean;
  /** Deterministic mode: random_get is seeded and clocks are virtual. */
  readonly seed?: number;
  /** Replaces the `stdin` pseudo file for this run. */
  readonly stdin?: Uint8Array;
  readonly onStdout?: (bytes: Uint8Array) => void;
  readonly onStderr?: (bytes: Uint8Array) => void;
  /** Receives one line per WASI call (`vc run --strace`). */
  readonly trace?: (line: string) => void;
}

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function snapshotFor(options: RunOptions, limits: RunLimits): VfsSnapshot {
  const base = options.vfs.snapshot(options.rights);
  const quotaBytes = Math.min(base.quotaBytes, limits.quotaBytes ?? Number.POSITIVE_INFINITY);
  if (options.stdin === undefined) return { ...base, quotaBytes };
  const entries = base.entries.filter((e) => e.path !== 'stdin');
  entries.push({ path: 'stdin', kind: 'file', data: options.stdin.slice() });
  return { entries, quotaBytes, usedOutside: base.usedOutside };
}

/** Executions over one file system run one at a time: each sees the previous one's changes. */
const running = new WeakMap<Vfs, Promise<unknown>>();

export async function runProgram(options: RunOptions): Promise<RunResult> {
  const limits: RunLimits = { ...DEFAULT_LIMITS, ...options.limits };
  // WASI 0.2 components take jco's path (enclave/component); core modules run on our preview 1 host.
  const run = isComponent(options.program)
    ? () => runComponent(options)
    : await coreRun(options, limits);
  const previous = running.get(options.vfs) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(run);
  running.set(options.vfs, next);
  return next;
}

async function coreRun(options: RunOptions, limits: RunLimits): Promise<() => Promise<RunResult>> {
  const module = await compileGuest(checkModule(options.program, limits.maxMemoryMib));
  return () => start(module, options, limits);
}

async function start(
  module: WasmModule,
  options: RunOptions,
  limits: RunLimits,
): Promise<RunResult> {
  const snapshot = snapshotFor(options, limits);
  const input: WorkerInput = {
    module,
    snapshot,
    rights: options.rights,
    args: [options.programName ?? 'program.wasm', ...(options.args ?? [])],
    env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    clock: options.clock ?? false,
    seed: options.seed,
    trace: options.trace !== undefined,
  };
  return execute(await takeWorker(), input, options, limits);
}

function execute(
  worker: Worker,
  input: WorkerInput,
  options: RunOptions,
  limits: RunLimits,
): Promise<RunResult> {
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  return new Promise<RunResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: VcError | undefined, result?: RunResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate().then(replenish);
      if (error) reject(error);
      else resolve(result as RunResult);
    };
    const timer = setTimeout(
      () => finish(new ExecutionTimeoutError(limits.timeoutMs)),
      limits.timeoutMs,
    );
    worker.on('message', (message: WorkerMessage) => {
      if (settled) return;
      switch (message.type) {
        case 'ready':
          return;
        case 'output':
          (message.stream === 'stdout' ? stdout : stderr).push(message.bytes);
          (message.stream === 'stdout' ? options.onStdout : options.onStderr)?.(message.bytes);
          return;
        case 'trace':
          options.trace?.(message.line);
          return;
        case 'trap':
          return finish(new GuestTrapError(message.message));
        case 'failure':
          return finish(new VcError(message.code as `ERR_${string}`, message.message));
        case 'exit':
          options.vfs.apply(message.diff);
          return finish(undefined, {
            exitCode: message.exitCode,
            stdout: concat(stdout),
            stderr: concat(stderr),
          });
      }
    });
    worker.on('error', (error) =>
      finish(new VcError('ERR_SANDBOX', `sandbox worker failed: ${error.message}`)),
    );
    worker.on('exit', (code) =>
      finish(new VcError('ERR_SANDBOX', `sandbox worker exited early (${code})`)),
    );
    worker.postMessage(input, transferables(input.snapshot.entries));
  });
}
