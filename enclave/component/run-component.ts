// Runs a WASI 0.2 command component with the same call shape and result as the sandbox's
// `runProgram` (enclave/runner/run-program.ts): transpiles it (cached by hash), caps the memories of
// its core modules at the policy's limit, and executes it in a worker thread against our WASI 0.2
// host over the principal's view of the virtual file system. The diff is applied only after a normal
// exit; after a trap or a timeout the file system is left exactly as it was.
import type { Worker } from 'node:worker_threads';
import { VcError, type ErrorCode } from '../../protocol/errors.js';
import { ExecutionTimeoutError, GuestTrapError, InvalidModuleError } from '../errors.js';
import {
  DEFAULT_LIMITS,
  type RunLimits,
  type RunOptions,
  type RunResult,
} from '../runner/run-program.js';
import type { WorkerMessage } from '../runner/protocol.js';
import { transferables, type VfsSnapshot } from '../vfs/snapshot.js';
import { Wasm, type WasmModule } from '../wasm-api.js';
import { capMemory, PAGE_BYTES } from '../runner/wasm-binary.js';
import { clearTranspileCache, transpileComponent, type TranspiledComponent } from './transpile.js';
import { takeComponentWorker } from './worker-pool.js';
import type { ComponentWorkerInput } from './worker-protocol.js';

/** Pages of 64 KiB in `mib` MiB, rounded down as for core modules (runner/check-module.ts). */
function pagesForMib(mib: number): number {
  return Math.floor((mib * 2 ** 20) / PAGE_BYTES);
}

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

function snapshotFor(options: RunOptions, limits: RunLimits): VfsSnapshot {
  const base = options.vfs.snapshot(options.rights);
  const quotaBytes = Math.min(base.quotaBytes, limits.quotaBytes ?? Number.POSITIVE_INFINITY);
  if (options.stdin === undefined) return { ...base, quotaBytes };
  const entries = base.entries.filter((e) => e.path !== 'stdin');
  entries.push({ path: 'stdin', kind: 'file', data: options.stdin.slice() });
  return { entries, quotaBytes, usedOutside: base.usedOutside };
}

export async function runComponent(options: RunOptions): Promise<RunResult> {
  const limits: RunLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const t = await transpileComponent(options.program);
  const modules = await compileCapped(t, pagesForMib(limits.maxMemoryMib));
  const input: ComponentWorkerInput = {
    glue: t.glue,
    modules,
    snapshot: snapshotFor(options, limits),
    rights: options.rights,
    args: [options.programName ?? 'program.wasm', ...(options.args ?? [])],
    env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    clock: options.clock ?? false,
    seed: options.seed,
  };
  return execute(await takeComponentWorker(), input, options, limits);
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

function execute(
  worker: Worker,
  input: ComponentWorkerInput,
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
      switch (message.type) {
        case 'output':
          (message.stream === 'stdout' ? stdout : stderr).push(message.bytes);
          (message.stream === 'stdout' ? options.onStdout : options.onStderr)?.(message.bytes);
          return;
        case 'trace':
          return;
        case 'trap':
          return finish(new GuestTrapError(message.message));
        case 'failure':
          return finish(new VcError(message.code as ErrorCode, message.message));
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
      finish(new VcError('ERR_SANDBOX', `component worker failed: ${error.message}`)),
    );
    worker.on('exit', (code) =>
      finish(new VcError('ERR_SANDBOX', `component worker exited early (${code})`)),
    );
    worker.postMessage(input, transferables(input.snapshot.entries));
  });
}
