// State shared by the WASI host's calls: memory, descriptors, the tree and the principal's rights.
import {
  type RightsTable,
  WasiRight,
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

/** The caller's standard input streamed to the guest (`vc run`); without it, stdin is the pseudo file. */
export interface StdinStream {
  /** Up to `max` bytes, waiting until some come; empty at the end of input. */
  read(max: number): Uint8Array;
  /**
   * Waits up to `timeoutMs` (Infinity: as long as it takes) for input: the bytes ready to read,
   * `end` at the end of input, or undefined when none came in time.
   */
  poll(timeoutMs: number): { bytes: number; end: boolean } | undefined;
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
  readonly stdin?: StdinStream | undefined;
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

/**
 * Rights that apply to a directory descriptor (wasmtime's directory base rights, plus truncating a
 * file through a path): a directory fd never holds fd_read, fd_write or fd_seek.
 */
export const DIRECTORY_RIGHTS =
  WasiRight.PATH_CREATE_DIRECTORY |
  WasiRight.PATH_CREATE_FILE |
  WasiRight.PATH_LINK_SOURCE |
  WasiRight.PATH_LINK_TARGET |
  WasiRight.PATH_OPEN |
  WasiRight.FD_READDIR |
  WasiRight.PATH_READLINK |
  WasiRight.PATH_RENAME_SOURCE |
  WasiRight.PATH_RENAME_TARGET |
  WasiRight.PATH_SYMLINK |
  WasiRight.PATH_REMOVE_DIRECTORY |
  WasiRight.PATH_UNLINK_FILE |
  WasiRight.PATH_FILESTAT_GET |
  WasiRight.PATH_FILESTAT_SET_SIZE |
  WasiRight.PATH_FILESTAT_SET_TIMES |
  WasiRight.FD_FILESTAT_GET |
  WasiRight.FD_FILESTAT_SET_TIMES;

/** Rights that apply to a regular file's descriptor (Veracruz's FD_EXECUTE included). */
export const FILE_RIGHTS =
  WasiRight.FD_DATASYNC |
  WasiRight.FD_READ |
  WasiRight.FD_SEEK |
  WasiRight.FD_FDSTAT_SET_FLAGS |
  WasiRight.FD_SYNC |
  WasiRight.FD_TELL |
  WasiRight.FD_WRITE |
  WasiRight.FD_ADVISE |
  WasiRight.FD_ALLOCATE |
  WasiRight.FD_FILESTAT_GET |
  WasiRight.FD_FILESTAT_SET_SIZE |
  WasiRight.FD_FILESTAT_SET_TIMES |
  WasiRight.POLL_FD_READWRITE |
  WasiRight.FD_EXECUTE;

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

  /**
   * Gives a node the guest just created the current time, when the guest has a clock (without
   * one, every time stays 0: no time reaches a guest that the policy keeps from clocks).
   */
  created<T extends FsNode>(node: T): T {
    const clock = this.options.clock;
    if (clock) node.atim = node.mtim = node.ctim = clock.realtime();
    return node;
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
      // What the policy grants on the directory itself, as far as it applies to a directory; its
      // inheriting rights are every right, the ceiling a guest may narrow: what the policy grants
      // below is decided at each path_open, at the path opened.
      rightsBase: this.rightsAt(dir) & DIRECTORY_RIGHTS,
      rightsInheriting: DIRECTORY_RIGHTS | FILE_RIGHTS,
      fdFlags: 0,
      offset: 0,
    });
  }
}

export function fileTypeOf(node: FsNode, stdio: PseudoFile | undefined): number {
  if (stdio) return FileType.CHARACTER_DEVICE;
  if (node.kind === 'symlink') return FileType.SYMBOLIC_LINK;
  return node.kind === 'dir' ? FileType.DIRECTORY : FileType.REGULAR_FILE;
}

/** A node's size as stat reports it: a file's bytes, a link's target bytes, 0 for a directory. */
function sizeOf(node: FsNode): number {
  if (node.kind === 'file') return node.size;
  return node.kind === 'symlink' ? Buffer.byteLength(node.target) : 0;
}

/** Writes a 64-byte `filestat` at `ptr`. */
export function writeFilestat(h: HostState, ptr: number, node: FsNode, stdio?: PseudoFile): void {
  const m = h.mem;
  m.slice(ptr, 64).fill(0);
  m.setU64(ptr, 0);
  m.setU64(ptr + 8, node.ino);
  m.setU8(ptr + 16, fileTypeOf(node, stdio));
  m.setU64(ptr + 24, node.kind === 'file' ? node.nlink : 1);
  m.setU64(ptr + 32, sizeOf(node));
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
