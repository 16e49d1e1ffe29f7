// Worker threads for executions. Each execution gets a fresh worker that is terminated afterwards
// (no state survives between executions); to keep start latency low, one spare worker is started
// ahead of need and waits, idle and unreferenced, for the execution it will run.
import type { Worker } from 'node:worker_threads';
import { startWorker, workerSource } from './worker-bundle.js';

const entry = new URL('./worker-main.ts', import.meta.url);

let spare: Worker | undefined;
/** Resolves once the spare has loaded its code and waits for work. */
let spareReady: Promise<void> = Promise.resolve();

function spawn(source: string): Worker {
  const worker = startWorker(source);
  spareReady = new Promise((resolve) => {
    worker.once('message', () => resolve());
    worker.once('exit', () => resolve());
  });
  // An idle spare that dies (it should not) is simply replaced on next use.
  worker.once('exit', () => {
    if (spare === worker) spare = undefined;
  });
  return worker;
}

/**
 * Starts the spare worker now (e.g. when the enclave boots), so the first execution is fast too;
 * resolves when it is ready.
 */
export async function prewarm(): Promise<void> {
  const source = await workerSource(entry);
  spare ??= spawn(source);
  await spareReady;
}

/** A fresh worker for one execution (the spare if there is one). */
export async function takeWorker(): Promise<Worker> {
  const source = await workerSource(entry);
  const worker = spare ?? spawn(source);
  spare = undefined;
  worker.ref();
  return worker;
}

/**
 * Starts a new spare once an execution is over. Not earlier: on a small machine, booting it
 * during the execution would slow the execution down.
 */
export function replenish(): void {
  setImmediate(() => {
    if (spare) return;
    workerSource(entry)
      .then((source) => {
        spare ??= spawn(source);
      })
      .catch(() => undefined);
  });
}

/** Stops the spare worker (tests and short-lived processes may call this before exiting). */
export async function shutdownWorkers(): Promise<void> {
  const idle = spare;
  spare = undefined;
  await idle?.terminate();
}
