// wasi_snapshot_preview1 calls on file descriptors (fd_*), and veracruz_si.fd_create.
import { RIGHTS_ALL, WasiRight, joinBytes } from '../../protocol/index.js';
import { InodeTree, type FileNode } from '../vfs/inode-tree.js';
import { Errno, FdFlags, FstFlags, PREOPENTYPE_DIR, Whence } from './constants.js';
import { WasiErr, type OpenFd } from './fd-table.js';
import {
  fileTypeOf,
  rightsFromGuest,
  safeNumber,
  writeFilestat,
  type HostState,
  type StdinStream,
} from './host-state.js';

type Call = (...args: never[]) => number;

function fileOf(entry: OpenFd): FileNode {
  if (entry.node.kind !== 'file') throw new WasiErr(Errno.ISDIR);
  return entry.node;
}

function readInto(h: HostState, entry: OpenFd, iovs: number, count: number, at: number): number {
  const file = fileOf(entry);
  let total = 0;
  for (const [ptr, len] of h.mem.iovecs(iovs, count)) {
    const chunk = h.tree.readAt(file, at + total, len);
    h.mem.write(ptr, chunk);
    total += chunk.length;
    if (chunk.length < len) break;
  }
  return total;
}

/** One read of a stream into the iovecs: what is there, waiting only when nothing is. */
function readStream(h: HostState, stream: StdinStream, iovs: number, count: number): number {
  const vecs = h.mem.iovecs(iovs, count);
  const chunk = stream.read(vecs.reduce((n, [, len]) => n + len, 0));
  let at = 0;
  for (const [ptr, len] of vecs) {
    if (at >= chunk.length) break;
    const part = chunk.subarray(at, at + len);
    h.mem.write(ptr, part);
    at += part.length;
  }
  return at;
}

function gather(h: HostState, iovs: number, count: number): Uint8Array {
  const parts = h.mem.iovecs(iovs, count).map(([ptr, len]) => h.mem.slice(ptr, len));
  if (parts.length === 1) return parts[0] as Uint8Array;
  return joinBytes(parts);
}

/** Writes `data` at `at`; true when the file was a special file whose request was then served. */
function writeFrom(h: HostState, entry: OpenFd, data: Uint8Array, at: number): boolean {
  const file = fileOf(entry);
  h.tree.writeAt(file, at, data);
  // Past the run's output budget, onOutput throws and the run ends (errnoOf lets it through).
  if (entry.stdio === 'stdout' || entry.stdio === 'stderr')
    h.options.onOutput?.(entry.stdio, data.slice());
  else if (
    entry.path !== '' &&
    h.options.onFileWritten?.(entry.path, () => InodeTree.contents(file))
  ) {
    // A native module's special file: its request was served; the next one starts afresh.
    h.tree.resize(file, 0);
    return true;
  }
  return false;
}

function setTimes(
  h: HostState,
  node: { atim: bigint; mtim: bigint },
  atim: bigint,
  mtim: bigint,
  flags: number,
): void {
  if (
    (flags & FstFlags.ATIM && flags & FstFlags.ATIM_NOW) ||
    (flags & FstFlags.MTIM && flags & FstFlags.MTIM_NOW)
  ) {
    throw new WasiErr(Errno.INVAL);
  }
  const now = (): bigint => {
    if (!h.options.clock) throw new WasiErr(Errno.NOTCAPABLE);
    return h.options.clock.realtime();
  };
  if (flags & FstFlags.ATIM) node.atim = atim;
  if (flags & FstFlags.ATIM_NOW) node.atim = now();
  if (flags & FstFlags.MTIM) node.mtim = mtim;
  if (flags & FstFlags.MTIM_NOW) node.mtim = now();
}

export function fdCalls(h: HostState): Record<string, Call> {
  const { fds, mem, tree } = h;
  return {
    fd_advise(fd: number) {
      fds.withRights(fd, WasiRight.FD_ADVISE);
      return Errno.SUCCESS;
    },
    fd_allocate(fd: number, offset: bigint, len: bigint) {
      const file = fileOf(fds.withRights(fd, WasiRight.FD_ALLOCATE));
      const end = safeNumber(offset) + safeNumber(len);
      if (end > file.size) tree.resize(file, end);
      return Errno.SUCCESS;
    },
    fd_close(fd: number) {
      fds.close(fd);
      return Errno.SUCCESS;
    },
    fd_datasync(fd: number) {
      fds.withRights(fd, WasiRight.FD_DATASYNC);
      return Errno.SUCCESS;
    },
    fd_sync(fd: number) {
      fds.withRights(fd, WasiRight.FD_SYNC);
      return Errno.SUCCESS;
    },
    fd_fdstat_get(fd: number, ptr: number) {
      const e = fds.get(fd);
      mem.slice(ptr, 24).fill(0);
      mem.setU8(ptr, fileTypeOf(e.node, e.stdio));
      mem.setU16(ptr + 2, e.fdFlags);
      mem.setU64(ptr + 8, e.rightsBase);
      mem.setU64(ptr + 16, e.rightsInheriting);
      return Errno.SUCCESS;
    },
    fd_fdstat_set_flags(fd: number, flags: number) {
      const e = fds.withRights(fd, WasiRight.FD_FDSTAT_SET_FLAGS);
      if (flags & ~0x1f) return Errno.INVAL;
      e.fdFlags = flags;
      return Errno.SUCCESS;
    },
    fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint) {
      const e = fds.get(fd);
      const b = rightsFromGuest(base);
      const i = rightsFromGuest(inheriting);
      // Rights can only be dropped, never gained.
      if ((b & ~e.rightsBase) !== 0 || (i & ~e.rightsInheriting) !== 0) return Errno.NOTCAPABLE;
      e.rightsBase = b;
      e.rightsInheriting = i;
      return Errno.SUCCESS;
    },
    fd_filestat_get(fd: number, ptr: number) {
      const e = fds.withRights(fd, WasiRight.FD_FILESTAT_GET);
      writeFilestat(h, ptr, e.node, e.stdio);
      return Errno.SUCCESS;
    },
    fd_filestat_set_size(fd: number, size: bigint) {
      const file = fileOf(fds.withRights(fd, WasiRight.FD_FILESTAT_SET_SIZE));
      tree.resize(file, safeNumber(size));
      return Errno.SUCCESS;
    },
    fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, flags: number) {
      const e = fds.withRights(fd, WasiRight.FD_FILESTAT_SET_TIMES);
      setTimes(h, e.node, atim, mtim, flags);
      return Errno.SUCCESS;
    },
    fd_pread(fd: number, iovs: number, count: number, offset: bigint, nreadPtr: number) {
      const e = fds.withRights(fd, WasiRight.FD_READ | WasiRight.FD_SEEK);
      if (e.stdio) return Errno.SPIPE;
      mem.setU32(nreadPtr, readInto(h, e, iovs, count, safeNumber(offset)));
      return Errno.SUCCESS;
    },
    fd_pwrite(fd: number, iovs: number, count: number, offset: bigint, nwrittenPtr: number) {
      const e = fds.withRights(fd, WasiRight.FD_WRITE | WasiRight.FD_SEEK);
      if (e.stdio) return Errno.SPIPE;
      const data = gather(h, iovs, count);
      writeFrom(h, e, data, safeNumber(offset));
      mem.setU32(nwrittenPtr, data.length);
      return Errno.SUCCESS;
    },
    fd_read(fd: number, iovs: number, count: number, nreadPtr: number) {
      const e = fds.withRights(fd, WasiRight.FD_READ);
      if (e.stdio === 'stdin' && h.options.stdin) {
        mem.setU32(nreadPtr, readStream(h, h.options.stdin, iovs, count));
        return Errno.SUCCESS;
      }
      const n = readInto(h, e, iovs, count, e.offset);
      e.offset += n;
      mem.setU32(nreadPtr, n);
      return Errno.SUCCESS;
    },
    fd_write(fd: number, iovs: number, count: number, nwrittenPtr: number) {
      const e = fds.withRights(fd, WasiRight.FD_WRITE);
      const data = gather(h, iovs, count);
      const file = fileOf(e);
      const at = e.stdio || e.fdFlags & FdFlags.APPEND ? file.size : e.offset;
      e.offset = writeFrom(h, e, data, at) ? 0 : at + data.length;
      mem.setU32(nwrittenPtr, data.length);
      return Errno.SUCCESS;
    },
    fd_prestat_get(fd: number, ptr: number) {
      const e = fds.get(fd);
      if (e.preopen === undefined) return Errno.BADF;
      mem.setU32(ptr, PREOPENTYPE_DIR);
      mem.setU32(ptr + 4, new TextEncoder().encode(e.preopen).length);
      return Errno.SUCCESS;
    },
    fd_prestat_dir_name(fd: number, ptr: number, len: number) {
      const e = fds.get(fd);
      if (e.preopen === undefined) return Errno.BADF;
      const name = new TextEncoder().encode(e.preopen);
      if (len < name.length) return Errno.NAMETOOLONG;
      mem.write(ptr, name);
      return Errno.SUCCESS;
    },
    fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, usedPtr: number) {
      const e = fds.withRights(fd, WasiRight.FD_READDIR);
      if (e.node.kind !== 'dir') return Errno.NOTDIR;
      const entries: Array<[string, number, number]> = [
        ['.', e.node.ino, fileTypeOf(e.node, undefined)],
        ['..', e.node.ino, fileTypeOf(e.node, undefined)],
        ...[...e.node.entries].map(([n, c]): [string, number, number] => [
          n,
          c.ino,
          fileTypeOf(c, undefined),
        ]),
      ];
      const out = new Uint8Array(bufLen);
      let used = 0;
      for (let i = safeNumber(cookie); i < entries.length && used < bufLen; i++) {
        const [name, ino, type] = entries[i] as [string, number, number];
        const nameBytes = new TextEncoder().encode(name);
        const record = new Uint8Array(24 + nameBytes.length);
        const rv = new DataView(record.buffer);
        rv.setBigUint64(0, BigInt(i + 1), true);
        rv.setBigUint64(8, BigInt(ino), true);
        rv.setUint32(16, nameBytes.length, true);
        rv.setUint8(20, type);
        record.set(nameBytes, 24);
        // A record that does not fit is truncated: the guest sees a full buffer and retries bigger.
        const n = Math.min(record.length, bufLen - used);
        out.set(record.subarray(0, n), used);
        used += n;
      }
      mem.write(buf, out.subarray(0, used));
      mem.setU32(usedPtr, used);
      return Errno.SUCCESS;
    },
    fd_renumber(from: number, to: number) {
      fds.renumber(from, to);
      return Errno.SUCCESS;
    },
    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number) {
      const e = fds.withRights(fd, WasiRight.FD_SEEK);
      if (e.stdio) return Errno.SPIPE;
      const file = fileOf(e);
      const delta = safeNumber(offset, true);
      const base =
        whence === Whence.SET
          ? 0
          : whence === Whence.CUR
            ? e.offset
            : whence === Whence.END
              ? file.size
              : NaN;
      if (Number.isNaN(base) || base + delta < 0) return Errno.INVAL;
      e.offset = base + delta;
      mem.setU64(newOffsetPtr, e.offset);
      return Errno.SUCCESS;
    },
    fd_tell(fd: number, ptr: number) {
      const e = fds.withRights(fd, WasiRight.FD_TELL);
      if (e.stdio) return Errno.SPIPE;
      mem.setU64(ptr, e.offset);
      return Errno.SUCCESS;
    },
  };
}

/** Veracruz's extension: an anonymous in-memory file with every right, not linked anywhere. */
export function veracruzCalls(h: HostState): Record<string, Call> {
  return {
    fd_create(fdPtr: number) {
      const node = h.tree.newFile();
      const fd = h.fds.add({
        node,
        path: '',
        rightsBase: RIGHTS_ALL,
        rightsInheriting: RIGHTS_ALL,
        fdFlags: 0,
        offset: 0,
      });
      h.mem.setU32(fdPtr, fd);
      return Errno.SUCCESS;
    },
  };
}
