// Runs one WebAssembly program over the virtual file system as one principal, in a worker thread
// of its own, within limits (execute-in-worker.ts). File system changes come back as one diff,
// applied only when the program finished normally (returned from _start or called proc_exit,
// whatever the code); after a trap or a timeout the file system is left exactly as it was.
import type { RightsTable } from '../../protocol/policy/types.js';
import type { Vfs } from '../vfs/vfs.js';
import type { WasmModule } from '../wasm-api.js';
import { isComponent } from '../component/detect.js';
import { runComponent } from '../component/run-component.js';
import { checkModule } from './check-module.js';
import { compileGuest } from './compile.js';
import { executeInWorker, guestInput } from './execute-in-worker.js';
import type { WorkerInput } from './protocol.js';
import { WorkerPool } from './worker-pool.js';

const workers = new WorkerPool(new URL('./worker-main.ts', import.meta.url));

/**
 * Starts the core runner's spare worker now (e.g. when the enclave boots), so the first execution
 * is fast too; resolves when it is ready.
 */
export function prewarm(): Promise<void> {
  return workers.prewarm();
}

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
  const input: WorkerInput = {
    ...guestInput(options, limits),
    module,
    trace: options.trace !== undefined,
  };
  return executeInWorker(await workers.take(), input, options, limits, 'sandbox');
}
