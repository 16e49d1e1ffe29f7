// wasi_snapshot_preview1 calls on paths (path_*). A path is walked one component at a time from
// its directory fd, as POSIX and wasmtime do, and may never leave that directory: an absolute
// path, a `..` above it, or a symbolic link whose target is absolute or climbs above it is
// ENOTCAPABLE; more than MAX_SYMLINKS links on one walk is ELOOP. A component after a file is
// ENOTDIR. Every operation needs its right twice: on the directory fd (WASI's capability) and in
// the principal's rights table at the path it reaches (the policy), so a link resolves under the
// rights of where it points.
import { WasiRight, splitPath } from '../../protocol/index.js';
import { MAX_SYMLINK_BYTES, type DirNode, type FsNode } from '../vfs/inode-tree.js';
import { Errno, FstFlags, LOOKUP_SYMLINK_FOLLOW, OFlags } from './constants.js';
import { WasiErr } from './fd-table.js';
import {
  DIRECTORY_RIGHTS,
  FILE_RIGHTS,
  rightsFromGuest,
  writeFilestat,
  type HostState,
} from './host-state.js';

type Call = (...args: never[]) => number;

/** Symbolic links followed on one walk before ELOOP (Linux's limit). */
const MAX_SYMLINKS = 40;

interface Resolved {
  /** Absolute path reached, for the rights lookup. */
  readonly path: string;
  readonly parts: string[];
  /** The directory holding the last component; undefined when the walk ended on the fd's own directory. */
  readonly parent: DirNode | undefined;
  /** The last component ('' when the path names the fd's directory itself). */
  readonly name: string;
  readonly node: FsNode | undefined;
  /** The path ended with `/`: it must name a directory. */
  readonly trailingSlash: boolean;
}

/**
 * Walks `path` (guest memory) from directory fd `fd`, which must hold `needed`. A symbolic link as
 * the last component is followed only with `follow` (or a trailing slash); on the way it always is.
 */
function resolve(
  h: HostState,
  fd: number,
  ptr: number,
  len: number,
  follow: boolean,
  needed: number,
): Resolved {
  const dir = h.fds.get(fd);
  if (dir.node.kind !== 'dir' || dir.stdio) throw new WasiErr(Errno.NOTDIR);
  if ((dir.rightsBase & needed) !== needed) throw new WasiErr(Errno.NOTCAPABLE);
  // No path longer than the deepest one the budget allows is even decoded.
  if (len > h.tree.maxDepth * (h.tree.maxNameBytes + 1)) throw new WasiErr(Errno.NAMETOOLONG);
  const text = h.mem.string(ptr, len);
  return walkPath(dir.node, dir.path, text, follow);
}

function walkPath(start: DirNode, startPath: string, text: string, follow: boolean): Resolved {
  if (text.length === 0) throw new WasiErr(Errno.NOENT);
  if (text.includes('\0')) throw new WasiErr(Errno.ILSEQ);
  if (text.startsWith('/')) throw new WasiErr(Errno.NOTCAPABLE);
  const trailingSlash = text.endsWith('/');
  const base = splitPath(startPath);
  const dirs: DirNode[] = [start];
  const names: string[] = [];
  // Components still to walk, the next one last, and how many of them are more than `` or `.`.
  const pending = text.split('/').reverse();
  const trivial = (part: string): boolean => part === '' || part === '.';
  let real = pending.filter((part) => !trivial(part)).length;
  let links = 0;
  let last: { parent: DirNode; name: string; node: FsNode | undefined } | undefined;
  while (pending.length > 0) {
    const part = pending.pop() as string;
    last = undefined;
    if (trivial(part)) continue;
    real -= 1;
    if (part === '..') {
      if (dirs.length === 1) throw new WasiErr(Errno.NOTCAPABLE);
      dirs.pop();
      names.pop();
      continue;
    }
    const current = dirs[dirs.length - 1] as DirNode;
    const child = current.entries.get(part);
    // The last component, perhaps followed by `/` or `/.`: then it must be a directory.
    const isLast = real === 0;
    const mustBeDir = isLast && pending.length > 0;
    if (child?.kind === 'symlink' && (!isLast || follow || mustBeDir)) {
      links += 1;
      if (links > MAX_SYMLINKS) throw new WasiErr(Errno.LOOP);
      const target = child.target;
      if (target.startsWith('/')) throw new WasiErr(Errno.NOTCAPABLE);
      if (target.length === 0) throw new WasiErr(Errno.NOENT);
      const parts = target.split('/');
      real += parts.filter((p) => !trivial(p)).length;
      pending.push(...parts.reverse());
      continue;
    }
    if (isLast) {
      if (mustBeDir && child !== undefined && child.kind !== 'dir') throw new WasiErr(Errno.NOTDIR);
      if (pending.includes('.') && child === undefined) throw new WasiErr(Errno.NOENT);
      last = { parent: current, name: part, node: child };
      break;
    }
    if (child === undefined) throw new WasiErr(Errno.NOENT);
    if (child.kind !== 'dir') throw new WasiErr(Errno.NOTDIR);
    dirs.push(child);
    names.push(part);
  }
  if (last === undefined) {
    // The walk ended on a directory (`.`, `..`, `dir/.`): it is the node, named in its parent.
    const node = dirs[dirs.length - 1] as DirNode;
    const parts = [...base, ...names];
    return {
      path: `/${parts.join('/')}`,
      parts,
      parent: dirs.length > 1 ? dirs[dirs.length - 2] : undefined,
      name: names[names.length - 1] ?? '',
      node,
      trailingSlash,
    };
  }
  const parts = [...base, ...names, last.name];
  return {
    path: `/${parts.join('/')}`,
    parts,
    parent: last.parent,
    name: last.name,
    node: last.node,
    trailingSlash,
  };
}

function existing(r: Resolved): FsNode {
  if (!r.node) throw new WasiErr(Errno.NOENT);
  return r.node;
}

/** The directory a new entry goes into; the fd's own directory cannot be created or replaced. */
function parentOf(r: Resolved): DirNode {
  if (!r.parent || r.name === '') throw new WasiErr(r.node ? Errno.EXIST : Errno.NOENT);
  return r.parent;
}

const CORE = WasiRight.FD_READ | WasiRight.FD_WRITE;

export function pathCalls(h: HostState): Record<string, Call> {
  const { mem, tree } = h;
  return {
    path_create_directory(fd: number, ptr: number, len: number) {
      const r = resolve(h, fd, ptr, len, false, WasiRight.PATH_CREATE_DIRECTORY);
      h.requireAt(r.path, WasiRight.PATH_CREATE_DIRECTORY);
      if (r.node) return Errno.EXIST;
      const parent = parentOf(r);
      tree.checkPlace(r.parts);
      parent.entries.set(r.name, h.created(tree.newDir()));
      return Errno.SUCCESS;
    },
    path_filestat_get(fd: number, flags: number, ptr: number, len: number, buf: number) {
      const follow = (flags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const r = resolve(h, fd, ptr, len, follow, WasiRight.PATH_FILESTAT_GET);
      h.requireAt(r.path, WasiRight.PATH_FILESTAT_GET);
      writeFilestat(h, buf, existing(r));
      return Errno.SUCCESS;
    },
    path_filestat_set_times(
      fd: number,
      flags: number,
      ptr: number,
      len: number,
      atim: bigint,
      mtim: bigint,
      fst: number,
    ) {
      const follow = (flags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const r = resolve(h, fd, ptr, len, follow, WasiRight.PATH_FILESTAT_SET_TIMES);
      h.requireAt(r.path, WasiRight.PATH_FILESTAT_SET_TIMES);
      const node = existing(r);
      if (
        (fst & FstFlags.ATIM && fst & FstFlags.ATIM_NOW) ||
        (fst & FstFlags.MTIM && fst & FstFlags.MTIM_NOW)
      )
        return Errno.INVAL;
      if ((fst & FstFlags.ATIM_NOW || fst & FstFlags.MTIM_NOW) && !h.options.clock)
        return Errno.NOTCAPABLE;
      if (fst & FstFlags.ATIM) node.atim = atim;
      if (fst & FstFlags.MTIM) node.mtim = mtim;
      if (fst & FstFlags.ATIM_NOW) node.atim = h.options.clock?.realtime() ?? 0n;
      if (fst & FstFlags.MTIM_NOW) node.mtim = h.options.clock?.realtime() ?? 0n;
      return Errno.SUCCESS;
    },
    path_link(
      oldFd: number,
      oldFlags: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ) {
      const follow = (oldFlags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const from = resolve(h, oldFd, oldPtr, oldLen, follow, WasiRight.PATH_LINK_SOURCE);
      const to = resolve(h, newFd, newPtr, newLen, false, WasiRight.PATH_LINK_TARGET);
      h.requireAt(from.path, WasiRight.PATH_LINK_SOURCE);
      h.requireAt(to.path, WasiRight.PATH_LINK_TARGET);
      const node = existing(from);
      if (node.kind === 'dir') return Errno.PERM;
      if (to.node) return Errno.EXIST;
      if (to.trailingSlash) return Errno.NOENT;
      // Two names of one file are one file: a name where the principal holds other rights than at
      // the source would let it read or write the file around a right.
      if (h.rightsAt(from.path) !== h.rightsAt(to.path)) return Errno.NOTCAPABLE;
      const parent = parentOf(to);
      tree.checkPlace(to.parts);
      // A second name of a symbolic link is a link with the same target (charged to the quota).
      if (node.kind === 'file') node.nlink += 1;
      parent.entries.set(to.name, node.kind === 'symlink' ? tree.newSymlink(node.target) : node);
      return Errno.SUCCESS;
    },
    path_symlink(oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) {
      if (oldLen > MAX_SYMLINK_BYTES) return Errno.NAMETOOLONG;
      const target = mem.string(oldPtr, oldLen);
      if (target.includes('\0')) return Errno.ILSEQ;
      const r = resolve(h, fd, newPtr, newLen, false, WasiRight.PATH_SYMLINK);
      h.requireAt(r.path, WasiRight.PATH_SYMLINK);
      if (r.node) return r.trailingSlash && r.node.kind !== 'dir' ? Errno.NOTDIR : Errno.EXIST;
      if (r.trailingSlash) return Errno.NOENT;
      // A target that is absolute could never resolve beneath a directory fd.
      if (target.startsWith('/')) return Errno.NOTCAPABLE;
      const parent = parentOf(r);
      tree.checkPlace(r.parts);
      parent.entries.set(r.name, h.created(tree.newSymlink(target)));
      return Errno.SUCCESS;
    },
    path_readlink(
      fd: number,
      ptr: number,
      len: number,
      buf: number,
      bufLen: number,
      usedPtr: number,
    ) {
      const r = resolve(h, fd, ptr, len, false, WasiRight.PATH_READLINK);
      h.requireAt(r.path, WasiRight.PATH_READLINK);
      const node = existing(r);
      if (node.kind !== 'symlink') return Errno.INVAL;
      const bytes = new TextEncoder().encode(node.target);
      const used = Math.min(bytes.length, bufLen);
      mem.write(buf, bytes.subarray(0, used));
      mem.setU32(usedPtr, used);
      return Errno.SUCCESS;
    },
    path_open(
      fd: number,
      dirflags: number,
      ptr: number,
      len: number,
      oflags: number,
      base: bigint,
      inheriting: bigint,
      fdflags: number,
      fdPtr: number,
    ) {
      const onFd =
        WasiRight.PATH_OPEN |
        (oflags & OFlags.CREAT ? WasiRight.PATH_CREATE_FILE : 0) |
        (oflags & OFlags.TRUNC ? WasiRight.PATH_FILESTAT_SET_SIZE : 0);
      const follow = (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const r = resolve(h, fd, ptr, len, follow, onFd);
      const parentFd = h.fds.get(fd);
      // The policy at the path reached decides as well: opening, creating and truncating need
      // their right there, and reading or writing is refused now rather than at the first read or
      // write (wasi-libc asks for fd_read / fd_write exactly when the program opens to read or
      // write, and for every right of the inheriting set).
      const granted = h.rightsAt(r.path);
      h.requireAt(r.path, onFd);
      const wanted = rightsFromGuest(base);
      let node = r.node;
      if (node?.kind === 'symlink') return Errno.LOOP;
      // fd_read does not apply to a directory (wasi-libc's opendir asks for it); fd_write is EISDIR.
      const refusable = node?.kind === 'dir' ? WasiRight.FD_WRITE : CORE;
      if ((wanted & refusable & ~(granted & parentFd.rightsInheriting)) !== 0)
        return Errno.NOTCAPABLE;
      if (node && oflags & OFlags.CREAT && oflags & OFlags.EXCL) return Errno.EXIST;
      if (!node) {
        if (!(oflags & OFlags.CREAT)) return Errno.NOENT;
        if (oflags & OFlags.DIRECTORY || r.trailingSlash) return Errno.ISDIR;
        const parent = parentOf(r);
        tree.checkPlace(r.parts);
        node = h.created(tree.newFile());
        parent.entries.set(r.name, node);
      }
      if (oflags & OFlags.DIRECTORY && node.kind !== 'dir') return Errno.NOTDIR;
      if (node.kind === 'dir' && (wanted & WasiRight.FD_WRITE || oflags & OFlags.TRUNC))
        return Errno.ISDIR;
      if (oflags & OFlags.TRUNC && node.kind === 'file') tree.resize(node, 0);
      const applies = node.kind === 'dir' ? DIRECTORY_RIGHTS : FILE_RIGHTS;
      const newFd = h.fds.add({
        node,
        path: r.path,
        rightsBase: wanted & parentFd.rightsInheriting & granted & applies,
        rightsInheriting: rightsFromGuest(inheriting) & parentFd.rightsInheriting,
        fdFlags: fdflags,
        offset: 0,
      });
      mem.setU32(fdPtr, newFd);
      return Errno.SUCCESS;
    },
    path_remove_directory(fd: number, ptr: number, len: number) {
      const r = resolve(h, fd, ptr, len, false, WasiRight.PATH_REMOVE_DIRECTORY);
      h.requireAt(r.path, WasiRight.PATH_REMOVE_DIRECTORY);
      const node = existing(r);
      if (node.kind !== 'dir') return Errno.NOTDIR;
      if (!r.parent || r.name === '') return Errno.BUSY;
      if (node.entries.size > 0) return Errno.NOTEMPTY;
      r.parent.entries.delete(r.name);
      return Errno.SUCCESS;
    },
    path_unlink_file(fd: number, ptr: number, len: number) {
      const r = resolve(h, fd, ptr, len, false, WasiRight.PATH_UNLINK_FILE);
      h.requireAt(r.path, WasiRight.PATH_UNLINK_FILE);
      const node = existing(r);
      if (node.kind === 'dir') return Errno.ISDIR;
      parentOf(r).entries.delete(r.name);
      tree.release(node);
      return Errno.SUCCESS;
    },
    path_rename(
      fd: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ) {
      const from = resolve(h, fd, oldPtr, oldLen, false, WasiRight.PATH_RENAME_SOURCE);
      const to = resolve(h, newFd, newPtr, newLen, false, WasiRight.PATH_RENAME_TARGET);
      h.requireAt(from.path, WasiRight.PATH_RENAME_SOURCE);
      h.requireAt(to.path, WasiRight.PATH_RENAME_TARGET);
      const node = existing(from);
      if (!from.parent || from.name === '') return Errno.BUSY;
      if ((from.trailingSlash || to.trailingSlash) && node.kind !== 'dir') return Errno.NOTDIR;
      if (node.kind === 'dir' && (to.path === from.path || to.path.startsWith(`${from.path}/`))) {
        return to.path === from.path ? Errno.SUCCESS : Errno.INVAL;
      }
      const target = to.node;
      if (target === node) return Errno.SUCCESS;
      tree.checkPlace(to.parts, node);
      if (target) {
        if (target.kind === 'dir' && node.kind !== 'dir') return Errno.ISDIR;
        if (target.kind !== 'dir' && node.kind === 'dir') return Errno.NOTDIR;
        if (target.kind === 'dir' && target.entries.size > 0) return Errno.NOTEMPTY;
      }
      const destination = parentOf(to);
      if (target) tree.release(target);
      from.parent.entries.delete(from.name);
      destination.entries.set(to.name, node);
      return Errno.SUCCESS;
    },
  };
}
