// `vc run --dir HOST::GUEST[:ro]`: host directories copied into the virtual file system before a
// run, and writable ones copied back after it (files only are written back; nothing on the host is
// deleted, and copy-back never follows or replaces a symbolic link in the host folder).
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import {
  UsageError,
  type RightsTable,
  RIGHTS_ALL,
  WasiRight,
  PSEUDO_FILES,
  normalizePath,
} from '../../protocol/index.js';
import { OutputNameError, OutputSymlinkError } from '../errors.js';
import type { Vfs } from '../vfs/vfs.js';

export interface DirMount {
  readonly hostDir: string;
  readonly guestPath: string;
  readonly readOnly: boolean;
  /** False: the folder starts empty (vc-fee's --output-source), only copied back. Default true. */
  readonly copyIn?: boolean;
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

/** Every entry under `dir` (folders before what they hold); other kinds (sockets, devices) are left out. */
function hostEntries(dir: string): { path: string; kind: 'dir' | 'file' | 'symlink' }[] {
  const out: { path: string; kind: 'dir' | 'file' | 'symlink' }[] = [];
  const stack = [dir];
  for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        out.push({ path, kind: 'dir' });
        stack.push(path);
      } else if (entry.isFile()) out.push({ path, kind: 'file' });
      else if (entry.isSymbolicLink()) out.push({ path, kind: 'symlink' });
    }
  }
  return out;
}

/**
 * Copies a host directory (if it exists, and unless copyIn is false) into the file system at its guest path. Symbolic links
 * are copied as links (their target text, which the WASI host resolves beneath the guest's
 * directory fd, never on the host), and the names of one host file (hard links) stay one file.
 */
export function loadMount(vfs: Vfs, mount: DirMount): void {
  vfs.mkdir(mount.guestPath);
  if (mount.copyIn === false) return;
  let isDir = false;
  try {
    isDir = statSync(mount.hostDir).isDirectory();
  } catch {
    if (mount.readOnly) throw new UsageError(`--dir ${mount.hostDir}: no such directory`);
    return;
  }
  if (!isDir) throw new UsageError(`--dir ${mount.hostDir}: not a directory`);
  const linked = new Map<string, string>();
  for (const { path, kind } of hostEntries(mount.hostDir)) {
    const guest = `${mount.guestPath}/${relative(mount.hostDir, path).split(sep).join('/')}`;
    if (kind === 'dir') vfs.mkdir(guest);
    else if (kind === 'symlink') vfs.symlinkUnchecked(guest, readlinkSync(path));
    else {
      const stats = lstatSync(path);
      const id = `${stats.dev}:${stats.ino}`;
      const first = stats.nlink > 1 ? linked.get(id) : undefined;
      if (first !== undefined) vfs.linkUnchecked(guest, first);
      else {
        vfs.writeUnchecked(guest, readFileSync(path));
        if (stats.nlink > 1) linked.set(id, guest);
      }
    }
  }
}

/** Longest name of one file or folder the host's file systems hold (Linux NAME_MAX, in bytes). */
const MAX_HOST_NAME_BYTES = 255;
/** Longest host path opened (Linux PATH_MAX less its terminating NUL, in bytes). */
const MAX_HOST_PATH_BYTES = 4095;

type HostKind = 'missing' | 'dir' | 'file' | 'symlink' | 'other';

function hostKind(path: string): HostKind {
  let stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return 'missing';
    throw error;
  }
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'dir';
  return stats.isFile() ? 'file' : 'other';
}

/**
 * Where each file under the mount goes on the host, checked before anything is written: every name
 * fits the host, every folder on the way is a real folder (or missing) and the file itself a regular
 * file (or missing). Symbolic links are never followed nor replaced, so no write leaves the folder.
 */
function planSave(vfs: Vfs, mount: DirMount, root: string): { guest: string; host: string }[] {
  const kinds = new Map<string, HostKind>();
  const kindOf = (path: string): HostKind => {
    let kind = kinds.get(path);
    if (kind === undefined) kinds.set(path, (kind = hostKind(path)));
    return kind;
  };
  return vfs.filesUnder(mount.guestPath).map((guest) => {
    const rel = guest.slice(mount.guestPath === '/' ? 1 : mount.guestPath.length + 1);
    const names = rel.split('/');
    let host = root;
    let parentMissing = false;
    for (const [i, name] of names.entries()) {
      if (name === '' || name === '.' || name === '..' || name.includes('\0'))
        throw new OutputNameError(guest, `"${name}" is not a file name on the host`);
      if (Buffer.byteLength(name) > MAX_HOST_NAME_BYTES)
        throw new OutputNameError(guest, `a name longer than ${MAX_HOST_NAME_BYTES} bytes`);
      host = join(host, name);
      if (Buffer.byteLength(host) > MAX_HOST_PATH_BYTES)
        throw new OutputNameError(guest, `a host path longer than ${MAX_HOST_PATH_BYTES} bytes`);
      // below a missing folder everything is missing: no need to ask the host
      const kind: HostKind = parentMissing ? 'missing' : kindOf(host);
      parentMissing = kind === 'missing';
      if (kind === 'symlink') throw new OutputSymlinkError(guest, host);
      const last = i === names.length - 1;
      if (!last && kind !== 'dir' && kind !== 'missing')
        throw new OutputNameError(guest, `${host} is not a folder`);
      if (last && kind !== 'file' && kind !== 'missing')
        throw new OutputNameError(guest, `${host} is not a regular file`);
    }
    return { guest, host };
  });
}

/** Makes `dir` under `root` one folder at a time, refusing a symbolic link on the way. */
function makeFolders(root: string, dir: string, guest: string): void {
  let at = root;
  for (const name of relative(root, dir).split(sep)) {
    if (name === '') continue;
    at = join(at, name);
    try {
      mkdirSync(at);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    }
    if (hostKind(at) !== 'dir') throw new OutputSymlinkError(guest, at);
  }
}

/**
 * Writes every file under the mount's guest path back to the host directory. Everything is checked
 * first (planSave), so a refusal leaves the host folder as it was; each file is then written to a
 * fresh temporary name beside it and renamed into place, so a file is never half-written and an
 * existing one is replaced, not written through (a hard link to a file elsewhere keeps its bytes).
 */
export function saveMount(vfs: Vfs, mount: DirMount): string[] {
  mkdirSync(mount.hostDir, { recursive: true });
  // The folder itself is the user's choice (it may be a link they made); links inside it are not.
  const root = realpathSync(mount.hostDir);
  if (!statSync(root).isDirectory())
    throw new UsageError(`--dir ${mount.hostDir}: not a directory`);
  const plan = planSave(vfs, mount, root);
  for (const { guest, host } of plan) {
    makeFolders(root, dirname(host), guest);
    const temporary = join(dirname(host), `.vc-output-${randomBytes(8).toString('hex')}`);
    // 'wx': created here, never an existing file or a link someone put in the way
    const fd = openSync(temporary, 'wx');
    try {
      try {
        writeFileSync(fd, vfs.readUnchecked(guest));
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, host);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }
  return plan.map(({ host }) => host);
}
