// Numeric values of wasi_snapshot_preview1 (witx): errno, file types, flags and event kinds.
// Only the values the host uses are named.

export const Errno = {
  SUCCESS: 0,
  TOOBIG: 1,
  ACCES: 2,
  BADF: 8,
  BUSY: 10,
  EXIST: 20,
  FAULT: 21,
  INVAL: 28,
  ILSEQ: 25,
  IO: 29,
  ISDIR: 31,
  LOOP: 32,
  MFILE: 33,
  NAMETOOLONG: 37,
  NOENT: 44,
  NOMEM: 48,
  NOSPC: 51,
  NOSYS: 52,
  NOTDIR: 54,
  NOTEMPTY: 55,
  NOTSOCK: 57,
  NOTSUP: 58,
  OVERFLOW: 61,
  PERM: 63,
  SPIPE: 70,
  DQUOT: 19,
  XDEV: 75,
  NOTCAPABLE: 76,
} as const;

export const FileType = {
  UNKNOWN: 0,
  BLOCK_DEVICE: 1,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6,
  SYMBOLIC_LINK: 7,
} as const;

/** `lookupflags::symlink_follow`. */
export const LOOKUP_SYMLINK_FOLLOW = 1;

export const OFlags = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;

export const FdFlags = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;

export const Whence = { SET: 0, CUR: 1, END: 2 } as const;

export const ClockId = {
  REALTIME: 0,
  MONOTONIC: 1,
  PROCESS_CPUTIME: 2,
  THREAD_CPUTIME: 3,
} as const;

export const EventType = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;

export const FstFlags = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;

export const SUBCLOCKFLAGS_ABSTIME = 1;

/** `eventrwflags::fd_readwrite_hangup`: the end of input. */
export const EVENTRWFLAGS_HANGUP = 1;

/** `preopentype::dir`. */
export const PREOPENTYPE_DIR = 0;

/** Thrown by proc_exit to unwind the guest; caught by the runner, never seen by the guest. */
export class ProcExit {
  readonly code: number;
  constructor(code: number) {
    this.code = code;
  }
}
