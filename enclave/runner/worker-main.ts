// Runs one WASI command in this worker thread: rebuilds the visible part of the file system from
// the snapshot, instantiates the module against our host, calls `_start`, and reports the exit code
// with the file system diff, or the trap.
import { parentPort } from 'node:worker_threads';
import { TrackedTree, transferables } from '../vfs/snapshot.js';
import { ProcExit } from '../wasi/constants.js';
import { WasiHost } from '../wasi/host.js';
import { isMemory, Wasm } from '../wasm-api.js';
import type { WorkerInput } from './protocol.js';
import { guestHostSettings, post, reportSandboxFailure, reportTrap } from './worker-guest.js';

async function run(input: WorkerInput): Promise<void> {
  const tracked = new TrackedTree(input.snapshot);
  const host = new WasiHost({
    ...guestHostSettings(input, tracked),
    trace: input.trace ? (line) => post({ type: 'trace', line }) : undefined,
  });
  const instance = await Wasm.instantiate(input.module, host.imports());
  const memory = instance.exports['memory'];
  const start = instance.exports['_start'];
  if (!isMemory(memory) || typeof start !== 'function') {
    post({
      type: 'failure',
      code: 'ERR_INVALID_MODULE',
      message: 'missing memory or _start export',
    });
    return;
  }
  host.attach(memory);
  let exitCode = 0;
  try {
    (start as () => void)();
  } catch (error) {
    if (!(error instanceof ProcExit)) {
      reportTrap(error);
      return;
    }
    exitCode = error.code;
  }
  const diff = tracked.diff();
  post({ type: 'exit', exitCode, diff }, transferables(diff.upserts));
}

// A worker is started ahead of need and waits here for the one execution it will ever run.
post({ type: 'ready' });
parentPort?.once('message', (input: WorkerInput) => {
  // Pending wasm instantiation holds no event-loop handle; keep the thread alive until we report.
  const keepAlive = setInterval(() => undefined, 60_000);
  run(input)
    .finally(() => clearInterval(keepAlive))
    .catch(reportSandboxFailure);
});
