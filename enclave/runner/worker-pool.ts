// Worker threads for executions, one pool per worker entry: core modules (runner/worker-main.ts)
// and components (component/worker-main.ts) follow the same rules.
// - A worker runs exactly one guest and is terminated afterwards; it is never reused, so nothing
//   one guest left in a thread (memory, globals, a half-finished host call) can reach the next.
// - To keep start latency low, one spare per pool waits, idle and unreferenced, for the execution
//   it will run. The next spare is started once the worker that ran a guest has exited, not when
//   it is taken: on a small machine, booting it during the execution would slow the execution
//   down, and a guest's worker and a booting spare would hold memory at the same time.
import type { Worker } from 'node:worker_threads';
import { startWorker, workerSource, type SandboxWorkerName } from './worker-bundle.js';

const pools = new Set<WorkerPool>();

export class WorkerPool {
  readonly #entry: SandboxWorkerName;
  #spare: Worker | undefined;
  /** Resolves once the spare has loaded its code and waits for work. */
  #spareReady: Promise<void> = Promise.resolve();

  /**
   * `entry`: the sandbox worker (worker-bundle.ts), bundled once per process. It posts
   * `{type: 'ready'}` once loaded; until then the pool holds the process open for it.
   */
  constructor(entry: SandboxWorkerName) {
    this.#entry = entry;
    pools.add(this);
  }

  /**
   * Starts the spare worker now (e.g. when the enclave boots), so the first execution is fast too;
   * resolves when it is ready.
   */
  async prewarm(): Promise<void> {
    const source = await workerSource(this.#entry);
    this.#spare ??= this.#spawn(source);
    await this.#spareReady;
  }

  /** A fresh worker for one execution (the spare if there is one); its exit starts the next spare. */
  async take(): Promise<Worker> {
    const source = await workerSource(this.#entry);
    const worker = this.#spare ?? this.#spawn(source);
    this.#spare = undefined;
    worker.once('exit', () => this.#replenish());
    worker.ref();
    return worker;
  }

  /** Stops the spare worker. */
  async shutdown(): Promise<void> {
    const idle = this.#spare;
    this.#spare = undefined;
    await idle?.terminate();
  }

  #spawn(source: string): Worker {
    const worker = startWorker(source);
    this.#spareReady = new Promise((resolve) => {
      worker.once('message', () => resolve());
      worker.once('exit', () => resolve());
    });
    // An idle spare that dies (it should not) is simply replaced on next use.
    worker.once('exit', () => {
      if (this.#spare === worker) this.#spare = undefined;
    });
    return worker;
  }

  #replenish(): void {
    setImmediate(() => {
      if (this.#spare) return;
      workerSource(this.#entry)
        .then((source) => {
          this.#spare ??= this.#spawn(source);
        })
        .catch(() => undefined);
    });
  }
}

/** Stops every pool's spare (tests and short-lived processes may call this before exiting). */
export async function shutdownWorkers(): Promise<void> {
  await Promise.all([...pools].map((pool) => pool.shutdown()));
}
