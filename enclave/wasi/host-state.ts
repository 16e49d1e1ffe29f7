// State shared by the WASI host's calls: memory, descriptors, the tree and the principal's rights.
import {
  type RightsTable,
  RIGHTS_ALL,
  WasiRight,
  isPseudoFile,
  isUnder,
  normalizePath,
  splitPath,
  type PseudoFile,
  rightsAt,
} from '../../protocol/index.js';
import type { FsNode, InodeTree } from '../vfs/inode-tree.js';
import { preopenDirs } from '../vfs/rights.js';
import { Errno, FileType } from './constants.js';
import { FdTable, WasiErr } from './fd-table.js';
import { GuestMemory } from './memory.js';

/** Where the guest's clocks come from; absent when the policy does not enable clocks. */
export interface ClockSource {
  realtime(): bigint;
  monotonic(): bigint;
  /** Blocks the guest for `ns` nanoseconds (poll_oneoff on a clock). */
  sleep(ns: bigint): void;
  readonly resolutionNs: bigint;
}

export interface WasiHostOptions {
  readonly tree: InodeTree;
  readonly rights: RightsTable;
  /** argv, the program name first. */
  readonly args: readonly string[];
  /** `KEY=VALUE` strings. */
  readonly env: readonly string[];
  readonly clock?: ClockSource | undefined;
  /** Fills the array with random bytes (CSPRNG, or a seeded generator in deterministic mode). */
  readonly random: (into: Uint8Array) => void;
  /** Called with each write to stdout or stderr, as it happens. */
  readonly onOutput?: ((stream: 'stdout' | 'stderr', bytes: Uint8Array) => void) | undefined;
  /** When set, each WASI call is reported as one line (`vc run --strace`). */
  readonly trace?: ((line: string) => void) | undefined;
  /** Descriptors open at once (the run's budget); unlimited when absent. */
  readonly maxOpenFiles?: number | undefined;
  /**
   * Called after each write to a file with its path and a way to read its content: true when the
   * file was a native module's special file and its request was served (the host then clears it).
   */
  readonly onFileWritten?: ((path: string, contents: () => Uint8Array) => boolean) | undefined;
}

const STDIO_READ =
  WasiRight.FD_READ |
  WasiRight.FD_FDSTAT_SET_FLAGS |
  WasiRight.FD_FILESTAT_GET |
  WasiRight.POLL_FD_READWRITE;
const STDIO_WRITE =
  WasiRight.FD_WRITE |
  WasiRight.FD_DATASYNC |
  WasiRight.FD_SYNC |
  WasiRight.FD_FDSTAT_SET_FLAGS |
  WasiRight.FD_FILESTAT_GET |
  WasiRight.POLL_FD_READWRITE;

export class HostState {
  readonly mem = new GuestMemory();
  readonly fds: FdTable;
  readonly options: WasiHostOptions;
  exitCode: number | undefined;

  constructor(options: WasiHostOptions) {
    this.options = options;
    this.fds = new FdTable(options.maxOpenFiles);
    this.openStdio('stdin', STDIO_READ);
    this.openStdio('stdout', STDIO_WRITE);
    this.openStdio('stderr', STDIO_WRITE);
    const isDirectory = (path: string): boolean =>
      options.tree.lookup(splitPath(path))?.kind === 'dir';
    for (const dir of preopenDirs(options.rights, isDirectory)) this.openPreopen(dir);
  }

  get tree(): InodeTree {
    return this.options.tree;
  }

  rightsAt(path: string): number {
    return rightsAt(this.options.rights, path);
  }

  /** Rights a directory fd may pass on: the union of everything granted at or below it. */
  inheritableUnder(dir: string): number {
    let rights = this.rightsAt(dir);
    for (const entry of this.options.rights) {
      const prefix = normalizePath(entry.path);
      if (!isPseudoFile(prefix) && isUnder(prefix, dir)) rights |= entry.rights;
    }
    return rights & RIGHTS_ALL;
  }

  /** Fails with ENOTCAPABLE unless the principal holds `needed` at `path`. */
  requireAt(path: string, needed: number): void {
    if ((this.rightsAt(path) & needed) !== needed) throw new WasiErr(Errno.NOTCAPABLE);
  }

  private openStdio(name: PseudoFile, mask: number): void {
    this.fds.add({
      node: this.tree.pseudoFile(name),
      path: name,
      stdio: name,
      rightsBase: this.rightsAt(name) & mask,
      rightsInheriting: 0,
      fdFlags: name === 'stdin' ? 0 : 1,
      offset: 0,
    });
  }

  private openPreopen(dir: string): void {
    const node = this.tree.mkdirp(splitPath(dir));
    this.fds.add({
      node,
      path: dir,
      preopen: dir,
      rightsBase: this.rightsAt(dir),
      rightsInheriting: this.inheritableUnder(dir),
      fdFlags: 0,
      offset: 0,
    });
  }
}

export function fileTypeOf(node: FsNode, stdio: PseudoFile | undefined): number {
  if (stdio) return FileType.CHARACTER_DEVICE;
  return node.kind === 'dir' ? FileType.DIRECTORY : FileType.REGULAR_FILE;
}

/** Writes a 64-byte `filestat` at `ptr`. */
export function writeFilestat(h: HostState, ptr: number, node: FsNode, stdio?: PseudoFile): void {
  const m = h.mem;
  m.slice(ptr, 64).fill(0);
  m.setU64(ptr, 0);
  m.setU64(ptr + 8, node.ino);
  m.setU8(ptr + 16, fileTypeOf(node, stdio));
  m.setU64(ptr + 24, 1);
  m.setU64(ptr + 32, node.kind === 'file' ? node.size : 0);
  m.setU64(ptr + 40, node.atim);
  m.setU64(ptr + 48, node.mtim);
  m.setU64(ptr + 56, node.ctim);
}

/** Converts a u64 rights mask from the guest to our 30-bit set. */
export function rightsFromGuest(value: bigint): number {
  return Number(BigInt.asUintN(30, value));
}

/** A u64 offset or length from the guest as a safe number, or EOVERFLOW / EINVAL. */
export function safeNumber(value: bigint, signed = false): number {
  const v = signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
    throw new WasiErr(Errno.OVERFLOW);
  return Number(v);
}
