// Worker code, bundled into one CommonJS script per sandbox worker. Starting a worker from this
// text takes a few milliseconds, where letting tsx compile the TypeScript sources in every new
// worker costs over a second; execution start latency is one of the sandbox's targets.
// Used by both execution paths: core modules (runner/worker-main.ts) and components
// (component/worker-main.ts). The worker reaches other folders through their faces; package.json's
// `"sideEffects": false` lets esbuild leave out everything the worker does not use
// (worker-bundle.test.ts checks it).
// Inside the enclave runtime bundle the sources were bundled at build time and are part of the
// measured bytes (bundled-workers.ts); run from the sources, they are bundled here on first use,
// with the same options, so both give the same text.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BuildOptions } from 'esbuild';
import { BUNDLED_WORKER_SOURCES } from './bundled-workers.js';

/** The sandbox workers by name, each with its entry (relative to the repository root). */
export const SANDBOX_WORKER_ENTRIES = {
  'core-module': 'enclave/runner/worker-main.ts',
  component: 'enclave/component/worker-main.ts',
} as const;

export type SandboxWorkerName = keyof typeof SANDBOX_WORKER_ENTRIES;

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * esbuild options for the bundle of the worker `name` from the sources under `root`: paths in the
 * output are relative to `root` and symbolic links (a linked node_modules) are kept as named, so
 * the text does not depend on where the checkout lies.
 */
function sandboxWorkerBuildOptions(name: SandboxWorkerName, root: string): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [SANDBOX_WORKER_ENTRIES[name]],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    preserveSymlinks: true,
    write: false,
    logLevel: 'silent',
  };
}

/** Bundles the worker `name` from the sources under `root`: its text and the files it was built from. */
export async function bundleSandboxWorker(
  name: SandboxWorkerName,
  root: string,
): Promise<{ text: string; inputs: string[] }> {
  // Loaded on first use: the runtime bundle never builds (its workers are bundled in).
  const { build } = await import('esbuild');
  const result = await build({ ...sandboxWorkerBuildOptions(name, root), metafile: true });
  const file = result.outputFiles?.[0];
  if (!file) throw new Error(`esbuild produced no worker bundle for ${name}`);
  return { text: file.text, inputs: Object.keys(result.metafile.inputs) };
}

const bundles = new Map<SandboxWorkerName, Promise<string>>();

/** The bundled source of the sandbox worker `name`, built once per process. */
export function workerSource(name: SandboxWorkerName): Promise<string> {
  let cached = bundles.get(name);
  if (!cached) {
    const bundled = BUNDLED_WORKER_SOURCES?.[name];
    cached =
      bundled === undefined
        ? bundleSandboxWorker(name, REPOSITORY_ROOT).then((bundle) => bundle.text)
        : Promise.resolve(bundled);
    bundles.set(name, cached);
  }
  return cached;
}

/** Every sandbox worker thread started and not yet exited. */
const live = new Set<Worker>();

/**
 * Starts a worker from bundled source, unreferenced: an idle spare must not keep the process
 * alive (the pool references it when it takes it for an execution).
 */
export function startWorker(source: string): Worker {
  const worker = new Worker(source, { eval: true, stdout: true, stderr: true });
  worker.unref();
  live.add(worker);
  worker.once('exit', () => live.delete(worker));
  return worker;
}

/** Sandbox worker threads started and not yet exited (tests check that none is left). */
export function liveSandboxThreads(): number {
  return live.size;
}
