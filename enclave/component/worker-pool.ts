// Worker threads for component executions, started from the esbuild bundle of worker-main.ts
// (runner/worker-bundle.ts, shared with the core runner: compiling TypeScript in every worker
// costs a second). Each execution gets a fresh worker, terminated afterwards; one spare waits,
// idle and unreferenced.
import type { Worker } from 'node:worker_threads';
import { startWorker, workerSource } from '../runner/worker-bundle.js';

const entry = new URL('./worker-main.ts', import.meta.url);
let spare: Worker | undefined;

function spawn(text: string): Worker {
  const worker = startWorker(text);
  worker.once('exit', () => {
    if (spare === worker) spare = undefined;
  });
  return worker;
}

/** A fresh worker for one execution; a new spare is started in its place. */
export async function takeComponentWorker(): Promise<Worker> {
  const text = await workerSource(entry);
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
