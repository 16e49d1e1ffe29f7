// A provisioned native module: a binary provisioned into the file system like a program and named
// by the policy (`{"Provisioned": {"entry_point": PATH}}`). Asked for as a program or a pipeline
// step, it runs in the native sandbox (sandbox.ts) with the executing principal's rights: it sees
// the files that principal may read, and what it writes comes back where that principal may write.
import {
  type Policy,
  type RightsTable,
  WasiRight,
  hasRights,
  isPseudoFile,
  normalizePath,
  rightsAt,
  splitPath,
} from '../../protocol/index.js';
import { AccessDeniedError } from '../errors.js';
import { preopenDirs } from '../vfs/rights.js';
import type { Vfs } from '../vfs/vfs.js';
import { runNative, type NativeEntry, type NativeOutcome } from './sandbox.js';

/** The provisioned module whose entry point is `path`, if the policy names one. */
export function provisionedModuleAt(
  modules: Policy['nativeModules'] | undefined,
  path: string,
): string | undefined {
  const target = normalizePath(path);
  return modules?.find(
    (m) => m.type.kind === 'provisioned' && normalizePath(m.type.entryPoint) === target,
  )?.name;
}

export interface ProvisionedRun {
  readonly name: string;
  readonly path: string;
  readonly vfs: Vfs;
  readonly rights: RightsTable;
  readonly memoryMib: number;
  readonly timeoutMs: number;
}

function copyBack(vfs: Vfs, rights: RightsTable, outcome: NativeOutcome): void {
  const may = (path: string, needed: number): boolean => hasRights(rightsAt(rights, path), needed);
  for (const { path, data } of outcome.changed) {
    const parts = splitPath(path);
    const missingDir = parts
      .slice(0, -1)
      .map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)
      .find((dir) => !vfs.exists(dir) && !may(dir, WasiRight.PATH_CREATE_DIRECTORY));
    if (missingDir !== undefined) continue;
    try {
      vfs.write(rights, path, data);
    } catch (error) {
      // As in Veracruz, what the principal may not write is not copied back.
      if (!(error instanceof AccessDeniedError)) throw error;
    }
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    const bytes = stream === 'stdout' ? outcome.stdout : outcome.stderr;
    if (may(stream, WasiRight.FD_WRITE)) vfs.writeUnchecked(stream, bytes);
  }
}

/** Runs the provisioned module at `run.path` and applies its changes; resolves to its outcome. */
export async function runProvisioned(run: ProvisionedRun): Promise<NativeOutcome> {
  const snapshot = run.vfs.snapshot(run.rights);
  // Symbolic links are left out: their text is resolved beneath a guest's directory by the WASI
  // host, never on a real file system, where it could point anywhere. A second name of a file (a
  // hard link, same rights as the first by construction) is a copy of its bytes.
  const dataOf = new Map(
    snapshot.entries.map((e) => [e.path, e.kind === 'file' ? e.data : undefined]),
  );
  const view: NativeEntry[] = [];
  for (const e of snapshot.entries) {
    if (isPseudoFile(e.path)) continue;
    if (e.kind === 'dir') view.push({ path: e.path, kind: 'dir' });
    else if (e.kind === 'symlink') continue;
    else if (hasRights(rightsAt(run.rights, e.path), WasiRight.FD_READ)) {
      const data = e.kind === 'file' ? e.data : dataOf.get(e.target ?? '');
      if (data !== undefined) view.push({ path: e.path, kind: 'file', data });
    }
  }
  // The principal's directory keys exist for it, as a program's pre-opens do.
  const known = new Set(view.map((e) => e.path));
  for (const dir of preopenDirs(run.rights))
    if (!known.has(dir) && dir !== '/') view.push({ path: dir, kind: 'dir' });
  const outcome = await runNative({
    name: run.name,
    entry: { kind: 'provisioned', path: run.path, binary: run.vfs.readUnchecked(run.path) },
    view,
    limits: {
      memoryMib: run.memoryMib,
      timeoutMs: run.timeoutMs,
      fileBytes: Math.max(0, run.vfs.quotaBytes - run.vfs.usedBytes),
    },
  });
  copyBack(run.vfs, run.rights, outcome);
  return outcome;
}
