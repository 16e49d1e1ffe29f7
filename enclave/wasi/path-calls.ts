// wasi_snapshot_preview1 calls on paths (path_*). A path is resolved lexically against its
// directory fd by protocol/policy/paths.ts's rules, the fd's directory standing for the root, and may
// never leave it: absolute paths and `..` above the fd's directory are ENOTCAPABLE. There are no
// symbolic links. As in POSIX, a component after a file (`data.txt/..`, `data.txt/x`, `data.txt/`)
// is ENOTDIR, though the lexical result would exist. Every operation is checked against the
// principal's rights at the resolved absolute path (longest prefix of the rights table).
import { WasiRight, BadPathError, resolveBeneath, splitPath } from '../../protocol/index.js';
import type { DirNode, FsNode } from '../vfs/inode-tree.js';
import { Errno, FstFlags, OFlags } from './constants.js';
import { WasiErr } from './fd-table.js';
import { rightsFromGuest, writeFilestat, type HostState } from './host-state.js';

type Call = (...args: never[]) => number;

interface Resolved {
  readonly parts: string[];
  readonly path: string;
  readonly parent: DirNode | undefined;
  readonly name: string;
  readonly node: FsNode | undefined;
}

/**
 * Fails with ENOTDIR when a component of `text` follows a file, ENOENT when one follows a missing
 * node: what a walk one component at a time (as POSIX does) meets before the lexical folding.
 */
function walkComponents(start: DirNode, text: string): void {
  const stack: FsNode[] = [start];
  let node: FsNode | undefined = start;
  for (const part of text.split('/')) {
    if (part === '') continue;
    if (node === undefined) throw new WasiErr(Errno.NOENT);
    if (node.kind !== 'dir') throw new WasiErr(Errno.NOTDIR);
    if (part === '.') continue;
    if (part === '..') {
      // Never empties: a `..` above the fd's directory was refused before.
      stack.pop();
      node = stack[stack.length - 1];
      continue;
    }
    node = node.entries.get(part);
    if (node) stack.push(node);
  }
  if (text.endsWith('/') && node !== undefined && node.kind !== 'dir')
    throw new WasiErr(Errno.NOTDIR);
}

/** Resolves `path` (guest memory) relative to directory fd `fd`. */
function resolve(h: HostState, fd: number, ptr: number, len: number): Resolved {
  const dir = h.fds.get(fd);
  if (dir.node.kind !== 'dir' || dir.stdio) throw new WasiErr(Errno.NOTDIR);
  // No path longer than the deepest one the budget allows is even decoded.
  if (len > h.tree.maxDepth * (h.tree.maxNameBytes + 1)) throw new WasiErr(Errno.NAMETOOLONG);
  const text = h.mem.string(ptr, len);
  if (text.length === 0) throw new WasiErr(Errno.NOENT);
  if (text.startsWith('/') || text.includes('\0')) throw new WasiErr(Errno.NOTCAPABLE);
  let path: string;
  try {
    path = resolveBeneath(dir.path, text);
  } catch (error) {
    // The shared path rules refuse a `..` above the fd's directory; to the guest that is an escape.
    if (error instanceof BadPathError) throw new WasiErr(Errno.NOTCAPABLE);
    throw error;
  }
  walkComponents(dir.node, text);
  const parts = splitPath(path);
  const parentNode = h.tree.lookup(parts.slice(0, -1));
  const name = parts[parts.length - 1] ?? '';
  return {
    parts,
    path,
    parent: parentNode?.kind === 'dir' ? parentNode : undefined,
    name,
    node: h.tree.lookup(parts),
  };
}

function existing(r: Resolved): FsNode {
  if (!r.node) throw new WasiErr(r.parent ? Errno.NOENT : Errno.NOENT);
  return r.node;
}

function parentOf(r: Resolved): DirNode {
  if (!r.parent || r.name === '')
    throw new WasiErr(r.parts.length === 0 ? Errno.EXIST : Errno.NOENT);
  return r.parent;
}

export function pathCalls(h: HostState): Record<string, Call> {
  const { mem, tree } = h;
  return {
    path_create_directory(fd: number, ptr: number, len: number) {
      const r = resolve(h, fd, ptr, len);
      h.requireAt(r.path, WasiRight.PATH_CREATE_DIRECTORY);
      if (r.node) return Errno.EXIST;
      const parent = parentOf(r);
      tree.checkPlace(r.parts);
      parent.entries.set(r.name, tree.newDir());
      return Errno.SUCCESS;
    },
    path_filestat_get(fd: number, _flags: number, ptr: number, len: number, buf: number) {
      const r = resolve(h, fd, ptr, len);
      h.requireAt(r.path, WasiRight.PATH_FILESTAT_GET);
      writeFilestat(h, buf, existing(r));
      return Errno.SUCCESS;
    },
    path_filestat_set_times(
      fd: number,
      _flags: number,
      ptr: number,
      len: number,
      atim: bigint,
      mtim: bigint,
      fst: number,
    ) {
      const r = resolve(h, fd, ptr, len);
      h.requireAt(r.path, WasiRight.PATH_FILESTAT_SET_TIMES);
      const node = existing(r);
      if ((fst & FstFlags.ATIM_NOW || fst & FstFlags.MTIM_NOW) && !h.options.clock)
        return Errno.NOTCAPABLE;
      if (fst & FstFlags.ATIM) node.atim = atim;
      if (fst & FstFlags.MTIM) node.mtim = mtim;
      if (fst & FstFlags.ATIM_NOW) node.atim = h.options.clock?.realtime() ?? 0n;
      if (fst & FstFlags.MTIM_NOW) node.mtim = h.options.clock?.realtime() ?? 0n;
      return Errno.SUCCESS;
    },
    path_link() {
      // Hard links would let one file be reached under two rights prefixes; not supported.
      return Errno.NOTSUP;
    },
    path_symlink() {
      return Errno.NOTSUP;
    },
    path_readlink(fd: number, ptr: number, len: number) {
      const r = resolve(h, fd, ptr, len);
      existing(r);
      return Errno.INVAL; // nothing in this file system is a symbolic link
    },
    path_open(
      fd: number,
      _dirflags: number,
      ptr: number,
      len: number,
      oflags: number,
      base: bigint,
      inheriting: bigint,
      fdflags: number,
      fdPtr: number,
    ) {
      const r = resolve(h, fd, ptr, len);
      const granted = h.rightsAt(r.path);
      h.requireAt(r.path, WasiRight.PATH_OPEN);
      let node = r.node;
      if (node && oflags & OFlags.CREAT && oflags & OFlags.EXCL) return Errno.EXIST;
      if (!node) {
        if (!(oflags & OFlags.CREAT)) return Errno.NOENT;
        h.requireAt(r.path, WasiRight.PATH_CREATE_FILE);
        if (oflags & OFlags.DIRECTORY) return Errno.INVAL;
        const parent = parentOf(r);
        tree.checkPlace(r.parts);
        node = tree.newFile();
        parent.entries.set(r.name, node);
      }
      if (oflags & OFlags.DIRECTORY && node.kind !== 'dir') return Errno.NOTDIR;
      const wanted = rightsFromGuest(base);
      // Asking for read, write or execute that the policy does not grant is refused outright.
      const core = WasiRight.FD_READ | WasiRight.FD_WRITE | WasiRight.FD_EXECUTE;
      if ((wanted & core & ~granted) !== 0) return Errno.NOTCAPABLE;
      if (node.kind === 'dir' && wanted & WasiRight.FD_WRITE) return Errno.ISDIR;
      if (oflags & OFlags.TRUNC) {
        if (node.kind === 'dir') return Errno.ISDIR;
        h.requireAt(r.path, WasiRight.PATH_FILESTAT_SET_SIZE);
        tree.resize(node, 0);
      }
      const newFd = h.fds.add({
        node,
        path: r.path,
        rightsBase: wanted & granted,
        rightsInheriting: rightsFromGuest(inheriting) & h.inheritableUnder(r.path),
        fdFlags: fdflags,
        offset: 0,
      });
      mem.setU32(fdPtr, newFd);
      return Errno.SUCCESS;
    },
    path_remove_directory(fd: number, ptr: number, len: number) {
      const r = resolve(h, fd, ptr, len);
      h.requireAt(r.path, WasiRight.PATH_REMOVE_DIRECTORY);
      const node = existing(r);
      if (node.kind !== 'dir') return Errno.NOTDIR;
      if (node.entries.size > 0) return Errno.NOTEMPTY;
      if (r.parts.length === 0 || !r.parent) return Errno.ACCES;
      r.parent.entries.delete(r.name);
      return Errno.SUCCESS;
    },
    path_unlink_file(fd: number, ptr: number, len: number) {
      const r = resolve(h, fd, ptr, len);
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
      const from = resolve(h, fd, oldPtr, oldLen);
      const to = resolve(h, newFd, newPtr, newLen);
      h.requireAt(from.path, WasiRight.PATH_RENAME_SOURCE);
      h.requireAt(to.path, WasiRight.PATH_RENAME_TARGET);
      const node = existing(from);
      if (from.parts.length === 0) return Errno.ACCES;
      if (node.kind === 'dir' && (to.path === from.path || to.path.startsWith(`${from.path}/`))) {
        return to.path === from.path ? Errno.SUCCESS : Errno.INVAL;
      }
      tree.checkPlace(to.parts, node);
      const target = to.node;
      if (target && target !== node) {
        if (target.kind === 'dir' && node.kind !== 'dir') return Errno.ISDIR;
        if (target.kind !== 'dir' && node.kind === 'dir') return Errno.NOTDIR;
        if (target.kind === 'dir' && target.entries.size > 0) return Errno.NOTEMPTY;
        tree.release(target);
      }
      const destination = parentOf(to);
      parentOf(from).entries.delete(from.name);
      destination.entries.set(to.name, node);
      return Errno.SUCCESS;
    },
  };
}
