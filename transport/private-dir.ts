// Private temporary folders and the clean-ups a process owes before it exits. Folders here hold
// private keys, policies, plaintext inputs and results, so each is created mode 0700, registered,
// removed by its owner when done, and, whatever happens, removed when the process exits: on a
// normal exit, on process.exit, and on SIGINT/SIGTERM (when nobody else handles the signal, this
// module ends the process the way the default handler would, after removing them).
//
//   const dir = privateTempDir('vc-keys-');
//   writeFileSync(join(dir.path, 'key.pem'), pem, { mode: 0o600 });
//   ...
//   dir.remove();
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';

interface PrivateDir {
  readonly path: string;
  /** Removes the folder and everything in it (idempotent). */
  remove(): void;
}

const registered = new Set<string>();
const cleanups = new Set<() => Promise<void> | void>();

function removeAllSync(): void {
  for (const path of registered) rmSync(path, { recursive: true, force: true });
  registered.clear();
}

let hooked = false;
function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', removeAllSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, function lastResort() {
      // Someone else (the vc command's signal policy, a service) owns this signal: it ends the
      // process with process.exit, and the exit hook above removes the folders.
      if (process.listeners(signal).some((listener) => listener !== lastResort)) return;
      removeAllSync();
      process.exit(128 + constants.signals[signal]);
    });
  }
}

/** A new folder under the system's temporary directory, mode 0700, removed at exit at the latest. */
export function privateTempDir(prefix: string): PrivateDir {
  hookProcessExit();
  const path = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(path, 0o700); // mkdtemp already does on POSIX; said explicitly, whatever the umask
  registered.add(path);
  return {
    path,
    remove: () => {
      registered.delete(path);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/**
 * A lasting private folder at `path` (a cache): created if missing, mode 0700 whatever the umask.
 * Throws when it cannot be made private, e.g. it belongs to another user; files in it are written
 * mode 0600 by their owners.
 */
export function privateDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700); // fails (EPERM) on a folder of another user
  const { uid } = statSync(path);
  if (process.getuid && uid !== process.getuid())
    throw new Error(`${path} belongs to another user`);
  return path;
}

/**
 * Registers an asynchronous clean-up (stop a child process, a server) that an interrupted command
 * runs before it exits. Returns the function that unregisters it, for when the owner is done.
 */
export function onInterruptCleanup(cleanup: () => Promise<void> | void): () => void {
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}

let interrupting = false;

/** True once an interrupted command started its clean-ups: start nothing new (no child, no server). */
export function isInterrupting(): boolean {
  return interrupting;
}

/**
 * Runs every registered clean-up (each at most once, including those registered meanwhile),
 * bounded in time, then removes the folders.
 */
export async function runInterruptCleanups(timeoutMs: number): Promise<void> {
  interrupting = true;
  const deadline = Date.now() + timeoutMs;
  while (cleanups.size > 0 && Date.now() < deadline) {
    const pending = [...cleanups];
    cleanups.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(pending.map(async (cleanup) => cleanup())),
      new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now()))),
    ]);
    clearTimeout(timer);
  }
  removeAllSync();
}
