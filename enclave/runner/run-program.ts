// Runs one WebAssembly program over the virtual file system as one principal, in a worker thread
// of its own, within limits (execute-in-worker.ts). File system changes come back as one diff,
// applied only when the program finished normally (returned from _start or called proc_exit,
// whatever the code); after a trap or a timeout the file system is left exactly as it was.
import type { Vfs } from '../vfs/vfs.js';
import type { WasmModule } from '../wasm-api.js';
import { isComponent } from '../component/detect.js';
import { runComponent } from '../component/run-component.js';
import { checkModule } from './check-module.js';
import { compileGuest } from './compile.js';
import { executeInWorker, guestInput } from './execute-in-worker.js';
import type { WorkerInput } from './protocol.js';
import { DEFAULT_LIMITS, type RunLimits, type RunOptions, type RunResult } from './run-options.js';
import { WorkerPool } from './worker-pool.js';

const workers = new WorkerPool('core-module');

/**
 * Starts the core runner's spare worker now (e.g. when the enclave boots), so the first execution
 * is fast too; resolves when it is ready.
 */
export function prewarm(): Promise<void> {
  return workers.prewarm();
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
  const module = await compileGuest(checkModule(options.program, limits));
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
