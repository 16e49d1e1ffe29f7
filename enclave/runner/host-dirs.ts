// `vc run --dir HOST::GUEST[:ro]`: host directories copied into the virtual file system before a
// run, and writable ones copied back after it (files only are written back; nothing on the host is
// deleted).
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import {
  UsageError,
  type RightsTable,
  RIGHTS_ALL,
  WasiRight,
  PSEUDO_FILES,
  normalizePath,
} from '../../protocol/index.js';
import type { Vfs } from '../vfs/vfs.js';

export interface DirMount {
  readonly hostDir: string;
  readonly guestPath: string;
  readonly readOnly: boolean;
}

/** Parses `HOST_DIR::GUEST_PATH[:ro]`. */
export function parseDirMount(spec: string): DirMount {
  const at = spec.lastIndexOf('::');
  if (at <= 0) throw new UsageError(`--dir wants HOST_DIR::GUEST_PATH[:ro], got "${spec}"`);
  let guest = spec.slice(at + 2);
  const readOnly = guest.endsWith(':ro');
  if (readOnly) guest = guest.slice(0, -3);
  if (!guest.startsWith('/')) throw new UsageError(`--dir guest path must be absolute: "${guest}"`);
  return { hostDir: spec.slice(0, at), guestPath: normalizePath(guest), readOnly };
}

/** Everything except rights that change the file system. */
const READ_ONLY_RIGHTS =
  RIGHTS_ALL &
  ~(
    WasiRight.FD_WRITE |
    WasiRight.FD_ALLOCATE |
    WasiRight.FD_DATASYNC |
    WasiRight.PATH_CREATE_DIRECTORY |
    WasiRight.PATH_CREATE_FILE |
    WasiRight.PATH_LINK_SOURCE |
    WasiRight.PATH_LINK_TARGET |
    WasiRight.PATH_RENAME_SOURCE |
    WasiRight.PATH_RENAME_TARGET |
    WasiRight.PATH_FILESTAT_SET_SIZE |
    WasiRight.PATH_FILESTAT_SET_TIMES |
    WasiRight.FD_FILESTAT_SET_SIZE |
    WasiRight.FD_FILESTAT_SET_TIMES |
    WasiRight.PATH_SYMLINK |
    WasiRight.PATH_REMOVE_DIRECTORY |
    WasiRight.PATH_UNLINK_FILE
  );

/** Rights for a run without a policy: everything on writable mounts, read-only ones read-only. */
export function mountRights(mounts: readonly DirMount[]): RightsTable {
  return [
    ...mounts.map((m) => ({
      path: m.guestPath,
      rights: m.readOnly ? READ_ONLY_RIGHTS : RIGHTS_ALL,
    })),
    ...PSEUDO_FILES.map((path) => ({ path, rights: RIGHTS_ALL })),
  ];
}

function hostFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(path, ...hostFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Copies a host directory (if it exists) into the file system at its guest path. */
export function loadMount(vfs: Vfs, mount: DirMount): void {
  vfs.mkdir(mount.guestPath);
  let isDir = false;
  try {
    isDir = statSync(mount.hostDir).isDirectory();
  } catch {
    if (mount.readOnly) throw new UsageError(`--dir ${mount.hostDir}: no such directory`);
    return;
  }
  if (!isDir) throw new UsageError(`--dir ${mount.hostDir}: not a directory`);
  for (const path of hostFiles(mount.hostDir)) {
    const guest = `${mount.guestPath}/${relative(mount.hostDir, path).split('\\').join('/')}`;
    if (statSync(path).isDirectory()) vfs.mkdir(guest);
    else vfs.writeUnchecked(guest, readFileSync(path));
  }
}

/** Writes every file under the mount's guest path back to the host directory. */
export function saveMount(vfs: Vfs, mount: DirMount): string[] {
  const written: string[] = [];
  mkdirSync(mount.hostDir, { recursive: true });
  for (const guest of vfs.filesUnder(mount.guestPath)) {
    const rel = guest.slice(mount.guestPath === '/' ? 1 : mount.guestPath.length + 1);
    const host = join(mount.hostDir, ...rel.split('/'));
    mkdirSync(dirname(host), { recursive: true });
    writeFileSync(host, vfs.readUnchecked(guest));
    written.push(host);
  }
  return written;
}
