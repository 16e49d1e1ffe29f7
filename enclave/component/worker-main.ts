// Runs one WASI 0.2 command component in this worker thread: rebuilds the visible part of the file
// system from the snapshot, evaluates jco's glue (here, never in the host process), instantiates it
// against our WASI 0.2 host, calls `wasi:cli/run.run`, and reports the exit code with the diff.
import { parentPort } from 'node:worker_threads';
import { TrackedTree, transferables } from '../vfs/snapshot.js';
import {
  guestHostSettings,
  post,
  reportSandboxFailure,
  reportTrap,
} from '../runner/worker-guest.js';
import { ComponentExit } from './host/cli.js';
import { hostImports } from './host/interfaces.js';
import type { ComponentWorkerInput } from './worker-protocol.js';

type Instantiate = (
  getCoreModule: (name: string) => unknown,
  imports: Record<string, unknown>,
) => Record<string, unknown>;

interface RunInterface {
  run(): unknown;
}

/** Evaluates jco's glue (a function body, see transpile.ts) here in the worker. */
function loadGlue(body: string): Instantiate {
  return new Function(body)() as Instantiate;
}

function runExport(root: Record<string, unknown>): RunInterface {
  const key = Object.keys(root).find((name) => name === 'run' || name.startsWith('wasi:cli/run@'));
  const iface = key === undefined ? undefined : (root[key] as RunInterface | undefined);
  if (!iface || typeof iface.run !== 'function')
    throw new Error('component exports no wasi:cli/run');
  return iface;
}

/** Exit code of a call to `run`: 0, 1 when it returned `err`, or the code `exit` was called with. */
function callRun(iface: RunInterface): number {
  try {
    iface.run();
    return 0;
  } catch (error) {
    if (error instanceof ComponentExit) return error.code;
    // jco throws the payload of an `err` result: `run` returns `result` without one.
    if (error === undefined) return 1;
    throw error;
  }
}

function run(input: ComponentWorkerInput): void {
  const tracked = new TrackedTree(input.snapshot);
  const imports = hostImports(guestHostSettings(input, tracked));
  const instantiate = loadGlue(input.glue);
  let exitCode: number;
  try {
    const root = instantiate((name) => {
      const module = input.modules[name];
      if (!module) throw new Error(`component glue asked for unknown core module ${name}`);
      return module;
    }, imports);
    exitCode = callRun(runExport(root));
  } catch (error) {
    if (error instanceof ComponentExit) exitCode = error.code;
    else {
      reportTrap(error);
      return;
    }
  }
  const diff = tracked.diff();
  post({ type: 'exit', exitCode, diff }, transferables(diff.upserts));
}

// A worker is started ahead of need (runner/worker-pool.ts) and waits here for the one execution
// it will ever run; `ready` tells the pool it has loaded.
post({ type: 'ready' });
parentPort?.once('message', (input: ComponentWorkerInput) => {
  try {
    run(input);
  } catch (error) {
    reportSandboxFailure(error);
  }
});
