// Runs a WASI 0.2 command component with the same call shape and result as the sandbox's
// `runProgram` (enclave/runner/run-program.ts): transpiles it (cached by hash), caps the memories of
// its core modules at the policy's limit, and executes it in a worker thread against our WASI 0.2
// host over the principal's view of the virtual file system. The diff is applied only after a normal
// exit; after a trap or a timeout the file system is left exactly as it was.
import { InvalidModuleError } from '../errors.js';
import { executeInWorker, guestInput } from '../runner/execute-in-worker.js';
import {
  DEFAULT_LIMITS,
  type RunLimits,
  type RunOptions,
  type RunResult,
} from '../runner/run-options.js';
import { Wasm, type WasmModule } from '../wasm-api.js';
import { capMemory, PAGE_BYTES } from '../runner/wasm-binary.js';
import { clearTranspileCache, transpileComponent, type TranspiledComponent } from './transpile.js';
import { WorkerPool } from '../runner/worker-pool.js';
import type { ComponentWorkerInput } from './worker-protocol.js';

/** Pages of 64 KiB in `mib` MiB, rounded down as for core modules (runner/check-module.ts). */
function pagesForMib(mib: number): number {
  return Math.floor((mib * 2 ** 20) / PAGE_BYTES);
}

const workers = new WorkerPool('component');
const compiled = new Map<string, Promise<Record<string, WasmModule>>>();
const COMPILED_LIMIT = 8;

/** Core modules of a transpiled component compiled with memories capped at `maxPages`. */
function compileCapped(
  t: TranspiledComponent,
  maxPages: number,
): Promise<Record<string, WasmModule>> {
  const key = `${t.hash}:${maxPages}`;
  let pending = compiled.get(key);
  if (!pending) {
    pending = compileAll(t, maxPages);
    compiled.set(key, pending);
    pending.catch(() => compiled.delete(key));
    while (compiled.size > COMPILED_LIMIT) compiled.delete(compiled.keys().next().value as string);
  }
  return pending;
}

async function compileAll(
  t: TranspiledComponent,
  maxPages: number,
): Promise<Record<string, WasmModule>> {
  const entries = await Promise.all(
    [...t.coreModules].map(async ([name, bytes]) => {
      const capped = capMemory(bytes, maxPages);
      try {
        return [name, await Wasm.compile(capped)] as const;
      } catch {
        throw new InvalidModuleError(`core module ${name} of the component does not compile`);
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** Forgets every transpiled and compiled component (benchmarks of cold starts, tests). */
export function clearComponentCaches(): void {
  clearTranspileCache();
  compiled.clear();
}

/** Prepares a component when it is provisioned, so that running it later starts from the caches. */
export async function prepareComponent(program: Uint8Array, maxMemoryMib: number): Promise<string> {
  const t = await transpileComponent(program);
  await compileCapped(t, pagesForMib(maxMemoryMib));
  return t.hash;
}

export async function runComponent(options: RunOptions): Promise<RunResult> {
  const limits: RunLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const t = await transpileComponent(options.program);
  const modules = await compileCapped(t, pagesForMib(limits.maxMemoryMib));
  const input: ComponentWorkerInput = { ...guestInput(options, limits), glue: t.glue, modules };
  return executeInWorker(await workers.take(), input, options, limits, 'component');
}
