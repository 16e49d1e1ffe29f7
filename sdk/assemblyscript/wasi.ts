// Raw WASI preview 1 imports used by the Veracruz AssemblyScript SDK, plus Veracruz's own
// `veracruz_si.fd_create` extension. Guests normally use the helpers in index.ts instead.
// Every function returns a WASI errno (0 = success); results are written through pointers.

export const ERRNO_SUCCESS: u16 = 0;
export const ERRNO_ACCES: u16 = 2;
export const ERRNO_BADF: u16 = 8;
export const ERRNO_EXIST: u16 = 20;
export const ERRNO_INVAL: u16 = 28;
export const ERRNO_NOENT: u16 = 44;
export const ERRNO_NOTDIR: u16 = 54;
export const ERRNO_NOTCAPABLE: u16 = 76;

export const OFLAGS_CREAT: u16 = 1;
export const OFLAGS_DIRECTORY: u16 = 2;
export const OFLAGS_EXCL: u16 = 4;
export const OFLAGS_TRUNC: u16 = 8;

export const FDFLAGS_APPEND: u16 = 1;

export const WHENCE_SET: u8 = 0;
export const WHENCE_CUR: u8 = 1;
export const WHENCE_END: u8 = 2;

export const PREOPENTYPE_DIR: u8 = 0;
export const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

// Rights bits (WASI preview 1).
export const RIGHT_FD_READ: u64 = 1 << 1;
export const RIGHT_FD_SEEK: u64 = 1 << 2;
export const RIGHT_FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
export const RIGHT_FD_TELL: u64 = 1 << 5;
export const RIGHT_FD_WRITE: u64 = 1 << 6;
export const RIGHT_PATH_CREATE_DIRECTORY: u64 = 1 << 9;
export const RIGHT_PATH_CREATE_FILE: u64 = 1 << 10;
export const RIGHT_PATH_OPEN: u64 = 1 << 13;
export const RIGHT_FD_READDIR: u64 = 1 << 14;
export const RIGHT_PATH_FILESTAT_GET: u64 = 1 << 18;
export const RIGHT_PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
export const RIGHT_FD_FILESTAT_GET: u64 = 1 << 21;
export const RIGHT_FD_FILESTAT_SET_SIZE: u64 = 1 << 22;

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "args_sizes_get")
export declare function args_sizes_get(argc: usize, argv_buf_size: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "args_get")
export declare function args_get(argv: usize, argv_buf: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_sizes_get")
export declare function environ_sizes_get(count: usize, buf_size: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_get")
export declare function environ_get(environ: usize, environ_buf: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_prestat_get")
export declare function fd_prestat_get(fd: u32, prestat: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_prestat_dir_name")
export declare function fd_prestat_dir_name(fd: u32, path: usize, path_len: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_fdstat_get")
export declare function fd_fdstat_get(fd: u32, fdstat: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_filestat_get")
export declare function fd_filestat_get(fd: u32, filestat: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "path_open")
export declare function path_open(
  dirfd: u32,
  dirflags: u32,
  path: usize,
  path_len: usize,
  oflags: u16,
  rights_base: u64,
  rights_inheriting: u64,
  fdflags: u16,
  fd: usize,
): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "path_create_directory")
export declare function path_create_directory(dirfd: u32, path: usize, path_len: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_read")
export declare function fd_read(fd: u32, iovs: usize, iovs_len: usize, nread: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_write")
export declare function fd_write(fd: u32, iovs: usize, iovs_len: usize, nwritten: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_seek")
export declare function fd_seek(fd: u32, offset: i64, whence: u8, newoffset: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_close")
export declare function fd_close(fd: u32): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_readdir")
export declare function fd_readdir(fd: u32, buf: usize, buf_len: usize, cookie: u64, bufused: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "random_get")
export declare function random_get(buf: usize, buf_len: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "proc_exit")
export declare function proc_exit(code: u32): void;

// Veracruz extension: creates an anonymous in-memory file and writes its fd to `fd`.
// Signature from Veracruz's libveracruz: `fn fd_create(fd: *mut RawFd) -> u32` (errno).
// @ts-ignore: decorator
@external("veracruz_si", "fd_create")
export declare function veracruz_fd_create(fd: usize): u32;
