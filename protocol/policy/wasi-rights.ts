// WASI preview 1 rights bits (wasi_snapshot_preview1 `rights` flags), plus Veracruz's FD_EXECUTE.
// Veracruz policies store rights as these bit sets; the shorthands below are Veracruz's own.

export const WasiRight = {
  FD_DATASYNC: 1 << 0,
  FD_READ: 1 << 1,
  FD_SEEK: 1 << 2,
  FD_FDSTAT_SET_FLAGS: 1 << 3,
  FD_SYNC: 1 << 4,
  FD_TELL: 1 << 5,
  FD_WRITE: 1 << 6,
  FD_ADVISE: 1 << 7,
  FD_ALLOCATE: 1 << 8,
  PATH_CREATE_DIRECTORY: 1 << 9,
  PATH_CREATE_FILE: 1 << 10,
  PATH_LINK_SOURCE: 1 << 11,
  PATH_LINK_TARGET: 1 << 12,
  PATH_OPEN: 1 << 13,
  FD_READDIR: 1 << 14,
  PATH_READLINK: 1 << 15,
  PATH_RENAME_SOURCE: 1 << 16,
  PATH_RENAME_TARGET: 1 << 17,
  PATH_FILESTAT_GET: 1 << 18,
  PATH_FILESTAT_SET_SIZE: 1 << 19,
  PATH_FILESTAT_SET_TIMES: 1 << 20,
  FD_FILESTAT_GET: 1 << 21,
  FD_FILESTAT_SET_SIZE: 1 << 22,
  FD_FILESTAT_SET_TIMES: 1 << 23,
  PATH_SYMLINK: 1 << 24,
  PATH_REMOVE_DIRECTORY: 1 << 25,
  PATH_UNLINK_FILE: 1 << 26,
  POLL_FD_READWRITE: 1 << 27,
  SOCK_SHUTDOWN: 1 << 28,
  /** Veracruz's extension: the right to execute a program file. */
  FD_EXECUTE: 1 << 29,
} as const;

/** Veracruz's shorthand `r`: fd_read, fd_seek, path_open, fd_readdir. */
export const RIGHTS_READ = 24582;
/** Veracruz's shorthand `w`: fd_seek, fd_write, path_create_directory, path_create_file, path_open, path_filestat_set_size. */
export const RIGHTS_WRITE = 534084;
/** Veracruz's shorthand `x`: FD_EXECUTE, path_open, fd_seek. */
export const RIGHTS_EXECUTE = 536879108;

/** All rights bits defined above (bits 0..29). */
export const RIGHTS_ALL = (1 << 30) - 1;

export function hasRights(granted: number, needed: number): boolean {
  return (granted & needed) === needed;
}
