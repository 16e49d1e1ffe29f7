// Worker code, bundled once per process and entry file into one CommonJS script. Starting a worker
// from this text takes a few milliseconds, where letting tsx compile the TypeScript sources in
// every new worker costs over a second; execution start latency is one of the sandbox's targets.
// Used by both execution paths: core modules (runner/worker-main.ts) and components
// (component/worker-main.ts). The worker reaches other folders through their faces; package.json's
// `"sideEffects": false` lets esbuild leave out everything the worker does not use
// (worker-bundle.test.ts checks it).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';

const bundles = new Map<string, Promise<string>>();

/** The bundled source of the worker whose entry is `entry` (a .ts file URL), built once. */
export function workerSource(entry: URL): Promise<string> {
  const path = fileURLToPath(entry);
  let cached = bundles.get(path);
  if (!cached) {
    cached = build({
      entryPoints: [path],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    }).then((result) => {
      const file = result.outputFiles[0];
      if (!file) throw new Error(`esbuild produced no worker bundle for ${path}`);
      return file.text;
    });
    bundles.set(path, cached);
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
