// Worker threads for component executions, started from one esbuild bundle of worker-main.ts per
// process (as the sandbox's core runner does: compiling TypeScript in every worker costs a second).
// Each execution gets a fresh worker, terminated afterwards; one spare waits, idle and unreferenced.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
let source: Promise<string> | undefined;
let spare: Worker | undefined;

function workerSource(): Promise<string> {
  source ??= build({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  }).then((result) => {
    const file = result.outputFiles[0];
    if (!file) throw new Error('esbuild produced no component worker bundle');
    return file.text;
  });
  return source;
}

function spawn(text: string): Worker {
  const worker = new Worker(text, { eval: true, stdout: true, stderr: true });
  worker.unref();
  worker.once('exit', () => {
    if (spare === worker) spare = undefined;
  });
  return worker;
}

/** A fresh worker for one execution; a new spare is started in its place. */
export async function takeComponentWorker(): Promise<Worker> {
  const text = await workerSource();
  const worker = spare ?? spawn(text);
  spare = spawn(text);
  worker.ref();
  return worker;
}

/** Stops the spare worker (tests and short-lived processes call this before exiting). */
export async function shutdownComponentWorkers(): Promise<void> {
  const idle = spare;
  spare = undefined;
  await idle?.terminate();
}
