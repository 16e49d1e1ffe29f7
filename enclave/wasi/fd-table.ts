// The guest's file descriptor table. Each entry is an open description of a node of the inode tree
// (or of a pseudo file) with the rights the guest holds through it.
import type { FsNode } from '../vfs/inode-tree.js';
import type { PseudoFile } from '../../protocol/index.js';
import { ResourceLimitError } from '../errors.js';
import { Errno } from './constants.js';

export class WasiErr extends Error {
  readonly errno: number;
  constructor(errno: number) {
    super(`errno ${errno}`);
    this.errno = errno;
  }
}

export interface OpenFd {
  readonly node: FsNode;
  /** Absolute path at open time, a pseudo file name, or '' for an anonymous file (fd_create). */
  readonly path: string;
  readonly stdio?: PseudoFile;
  /** Set for pre-opened directories: the name fd_prestat_dir_name reports. */
  readonly preopen?: string;
  rightsBase: number;
  rightsInheriting: number;
  fdFlags: number;
  offset: number;
}

export class FdTable {
  private readonly fds = new Map<number, OpenFd>();
  /** Descriptors open at once (the run's budget); the WASI host answers EMFILE beyond. */
  private readonly maxOpen: number;

  constructor(maxOpen = Number.POSITIVE_INFINITY) {
    this.maxOpen = maxOpen;
  }

  get(fd: number): OpenFd {
    const entry = this.fds.get(fd);
    if (!entry) throw new WasiErr(Errno.BADF);
    return entry;
  }

  /** The entry if it holds every right in `needed`, else ENOTCAPABLE. */
  withRights(fd: number, needed: number): OpenFd {
    const entry = this.get(fd);
    if ((entry.rightsBase & needed) !== needed) throw new WasiErr(Errno.NOTCAPABLE);
    return entry;
  }

  add(entry: OpenFd): number {
    if (this.fds.size >= this.maxOpen)
      throw new ResourceLimitError('open-files', this.maxOpen, this.fds.size + 1);
    let fd = 0;
    while (this.fds.has(fd)) fd++;
    this.fds.set(fd, entry);
    return fd;
  }

  set(fd: number, entry: OpenFd): void {
    this.fds.set(fd, entry);
  }

  close(fd: number): void {
    if (!this.fds.delete(fd)) throw new WasiErr(Errno.BADF);
  }

  renumber(from: number, to: number): void {
    const entry = this.get(from);
    this.get(to);
    this.fds.delete(from);
    this.fds.set(to, entry);
  }
}
