// Runs one WASI command in this worker thread: rebuilds the visible part of the file system from
// the snapshot, instantiates the module against our host, calls `_start`, and reports the exit code
// with the file system diff, or the trap.
import { parentPort } from 'node:worker_threads';
import {
  VcError,
  WasiRight,
  hasRights,
  normalizePath,
  rightsAt,
  splitPath,
} from '../../protocol/index.js';
import type { InodeTree } from '../vfs/inode-tree.js';
import {
  installSpecialFiles,
  specialFileHandler,
  type SpecialFileModule,
} from '../native/special-files.js';
import { TrackedTree, transferables } from '../vfs/snapshot.js';
import { ProcExit } from '../wasi/constants.js';
import { WasiHost } from '../wasi/host.js';
import { isMemory, Wasm } from '../wasm-api.js';
import type { WorkerInput } from './protocol.js';
import {
  guestHostSettings,
  post,
  reportSandboxFailure,
  reportTrap,
  type GuestHostSettings,
} from './worker-guest.js';

/** Serves native modules' special files, when the policy declares any (special-files.ts). */
function nativeHandler(
  input: WorkerInput,
  tracked: TrackedTree,
  settings: GuestHostSettings,
): ((path: string, contents: () => Uint8Array) => boolean) | undefined {
  const native = input.native;
  if (!native || native.modules.length === 0) return undefined;
  installSpecialFiles(tracked.tree, native.modules);
  return specialFileHandler(native, {
    tree: tracked.tree,
    rights: input.rights,
    emit: (stream, bytes) => {
      if (!hasRights(rightsAt(input.rights, stream), WasiRight.FD_WRITE)) return;
      const node = tracked.tree.pseudoFile(stream);
      tracked.tree.writeAt(node, node.size, bytes);
      settings.onOutput(stream, bytes.slice());
    },
  });
}

/** A request left in a special file (never completed) does not outlive the run. */
function clearSpecialFiles(tree: InodeTree, modules: readonly SpecialFileModule[]): void {
  for (const module of modules) {
    const node = tree.lookup(splitPath(normalizePath(module.specialFile)));
    if (node?.kind === 'file' && node.size > 0) tree.resize(node, 0);
  }
}

async function run(input: WorkerInput): Promise<void> {
  const tracked = new TrackedTree(input.snapshot);
  const settings = guestHostSettings(input, tracked);
  const host = new WasiHost({
    ...settings,
    trace: input.trace ? (line) => post({ type: 'trace', line }) : undefined,
    onFileWritten: nativeHandler(input, tracked, settings),
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
      // A typed refusal that ended the run (a native module stopped at a limit) keeps its code.
      if (error instanceof VcError) reportSandboxFailure(error);
      else reportTrap(error);
      return;
    }
    exitCode = error.code;
  }
  clearSpecialFiles(tracked.tree, input.native?.modules ?? []);
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
