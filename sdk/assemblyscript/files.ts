// Files and directories by absolute guest path, resolved against the host's pre-opened
// directories (longest matching prefix wins, like wasi-libc).
import * as wasi from './wasi';
import { closeFd, fail, lastErrno, readAll, setErrno, writeAll } from './core';
import { fromUtf8Lossy, utf8 } from './text';

const READ_RIGHTS: u64 =
  wasi.RIGHT_FD_READ | wasi.RIGHT_FD_SEEK | wasi.RIGHT_FD_TELL | wasi.RIGHT_FD_FILESTAT_GET | wasi.RIGHT_FD_READDIR;
const WRITE_RIGHTS: u64 =
  wasi.RIGHT_FD_WRITE | wasi.RIGHT_FD_SEEK | wasi.RIGHT_FD_TELL | wasi.RIGHT_FD_FILESTAT_GET |
  wasi.RIGHT_FD_FILESTAT_SET_SIZE | wasi.RIGHT_FD_FDSTAT_SET_FLAGS;
const DIR_RIGHTS: u64 =
  wasi.RIGHT_FD_READDIR | wasi.RIGHT_PATH_OPEN | wasi.RIGHT_PATH_CREATE_FILE |
  wasi.RIGHT_PATH_CREATE_DIRECTORY | wasi.RIGHT_PATH_FILESTAT_GET | wasi.RIGHT_FD_FILESTAT_GET;

let preopenNames: string[] = new Array<string>();
let preopenFds: u32[] = new Array<u32>();
let preopensLoaded = false;

function trimSlashes(path: string): string {
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) == 47) start++;
  while (end > start && path.charCodeAt(end - 1) == 47) end--;
  return path.substring(start, end);
}

function loadPreopens(): void {
  if (preopensLoaded) return;
  preopensLoaded = true;
  const prestat = memory.data(8);
  for (let fd: u32 = 3; ; fd++) {
    if (wasi.fd_prestat_get(fd, prestat) != 0) break;
    if (load<u8>(prestat) != wasi.PREOPENTYPE_DIR) continue;
    const len = load<u32>(prestat + 4);
    const name = new Uint8Array(<i32>len);
    if (wasi.fd_prestat_dir_name(fd, name.dataStart, len) != 0) continue;
    let text = String.UTF8.decodeUnsafe(name.dataStart, len);
    if (text == '.') text = '';
    preopenNames.push(trimSlashes(text));
    preopenFds.push(fd);
  }
}

// The result of resolving a path: a pre-opened directory fd and the path relative to it.
class Resolved {
  constructor(public fd: u32, public relative: string) {}
}

function resolve(path: string): Resolved | null {
  loadPreopens();
  const wanted = trimSlashes(path);
  let best = -1;
  let bestLength = -1;
  for (let i = 0; i < preopenNames.length; i++) {
    const name = preopenNames[i];
    const matches = name.length == 0 || wanted == name || wanted.startsWith(name + '/');
    if (matches && name.length > bestLength) {
      best = i;
      bestLength = name.length;
    }
  }
  if (best < 0) {
    setErrno(wasi.ERRNO_NOTCAPABLE);
    return null;
  }
  let rest = bestLength == 0 ? wanted : wanted.substring(bestLength + 1);
  if (rest.length == 0) rest = '.';
  return new Resolved(preopenFds[best], rest);
}

/** Opens `path`; returns the fd, or -1 (see `lastErrno`). Requested rights are capped by the directory's. */
export function openPath(path: string, oflags: u16, rights: u64, fdflags: u16 = 0): i32 {
  const where = resolve(path);
  if (where === null) return -1;
  const fdstat = memory.data(24);
  let allowed: u64 = rights;
  if (wasi.fd_fdstat_get(where.fd, fdstat) == 0) allowed = rights & load<u64>(fdstat + 16);
  const name = utf8(where.relative);
  const out = memory.data(4);
  const err = wasi.path_open(
    where.fd, wasi.LOOKUP_SYMLINK_FOLLOW, name.dataStart, name.length, oflags, allowed, allowed, fdflags, out,
  );
  if (err != 0) {
    setErrno(err);
    return -1;
  }
  return <i32>load<u32>(out);
}

function fileSize(fd: u32): i32 {
  const stat = memory.data(64);
  if (wasi.fd_filestat_get(fd, stat) != 0) return 4096;
  return <i32>load<u64>(stat + 32);
}

/** The bytes of `path`, or null (see `lastErrno`). */
export function tryReadFile(path: string): Uint8Array | null {
  const fd = openPath(path, 0, READ_RIGHTS);
  if (fd < 0) return null;
  const data = readAll(<u32>fd, fileSize(<u32>fd));
  closeFd(<u32>fd);
  return data;
}

/** The bytes of `path`; exits with status 1 when it cannot be read. */
export function readFile(path: string): Uint8Array {
  const data = tryReadFile(path);
  if (data === null) {
    fail('cannot read ' + path + ' (errno ' + lastErrno().toString() + ')');
    return new Uint8Array(0);
  }
  return data;
}

/** The UTF-8 text of `path`; exits with status 1 when it cannot be read. */
export function readText(path: string): string {
  const data = readFile(path);
  return String.UTF8.decodeUnsafe(data.dataStart, data.length);
}

/** The text of `path` as Rust's `String::from_utf8_lossy` reads it; exits with status 1 when it
 * cannot be read. */
export function readTextLossy(path: string): string {
  return fromUtf8Lossy(readFile(path));
}

/** True when `path` exists (file or directory). */
export function fileExists(path: string): bool {
  const fd = openPath(path, 0, 0);
  if (fd < 0) return false;
  closeFd(<u32>fd);
  return true;
}

function writeWith(path: string, data: Uint8Array, oflags: u16, fdflags: u16): bool {
  const fd = openPath(path, wasi.OFLAGS_CREAT | oflags, WRITE_RIGHTS, fdflags);
  if (fd < 0) return false;
  const err = writeAll(<u32>fd, data);
  closeFd(<u32>fd);
  return err == 0;
}

/** Creates or truncates `path` and writes `data`; false (see `lastErrno`) on error. */
export function tryWriteFile(path: string, data: Uint8Array): bool {
  return writeWith(path, data, wasi.OFLAGS_TRUNC, 0);
}

/** Appends `data` to `path`, creating it if needed; false (see `lastErrno`) on error. */
export function tryAppendFile(path: string, data: Uint8Array): bool {
  return writeWith(path, data, 0, wasi.FDFLAGS_APPEND);
}

/** Creates or truncates `path` and writes `data`; exits with status 1 on error. */
export function writeFile(path: string, data: Uint8Array): void {
  if (!tryWriteFile(path, data)) fail('cannot write ' + path + ' (errno ' + lastErrno().toString() + ')');
}

/** Appends `data` to `path`; exits with status 1 on error. */
export function appendFile(path: string, data: Uint8Array): void {
  if (!tryAppendFile(path, data)) fail('cannot append to ' + path + ' (errno ' + lastErrno().toString() + ')');
}

export function writeText(path: string, text: string): void {
  writeFile(path, utf8(text));
}

export function appendText(path: string, text: string): void {
  appendFile(path, utf8(text));
}

/** Creates directory `path`; true when created or already there. */
export function makeDir(path: string): bool {
  const where = resolve(path);
  if (where === null) return false;
  const name = utf8(where.relative);
  const err = wasi.path_create_directory(where.fd, name.dataStart, name.length);
  if (err == 0 || err == wasi.ERRNO_EXIST) return true;
  setErrno(err);
  return false;
}

/** Names in directory `path` (without `.` and `..`), sorted; null (see `lastErrno`) on error. */
export function tryListDir(path: string): string[] | null {
  const fd = openPath(path, wasi.OFLAGS_DIRECTORY, DIR_RIGHTS | wasi.RIGHT_FD_READDIR);
  if (fd < 0) return null;
  const names = new Array<string>();
  const buf = new Uint8Array(8192);
  const used = memory.data(4);
  let cookie: u64 = 0;
  while (true) {
    const err = wasi.fd_readdir(<u32>fd, buf.dataStart, buf.length, cookie, used);
    if (err != 0) {
      setErrno(err);
      closeFd(<u32>fd);
      return null;
    }
    const n = <i32>load<u32>(used);
    let offset = 0;
    let progressed = false;
    // Entries: d_next u64, d_ino u64, d_namlen u32, d_type u8 (padded to 24), then the name.
    while (offset + 24 <= n) {
      const entry = buf.dataStart + offset;
      const nameLength = <i32>load<u32>(entry + 16);
      if (offset + 24 + nameLength > n) break;
      const name = String.UTF8.decodeUnsafe(entry + 24, nameLength);
      if (name != '.' && name != '..') names.push(name);
      cookie = load<u64>(entry);
      offset += 24 + nameLength;
      progressed = true;
    }
    if (n < buf.length || !progressed) break;
  }
  closeFd(<u32>fd);
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names;
}

/** Names in directory `path`, sorted; exits with status 1 on error. */
export function listDir(path: string): string[] {
  const names = tryListDir(path);
  if (names === null) {
    fail('cannot list ' + path + ' (errno ' + lastErrno().toString() + ')');
    return new Array<string>();
  }
  return names;
}

/** Names in directory `path`, sorted; empty when it does not exist; exits on other errors. */
export function listDirOrEmpty(path: string): string[] {
  const names = tryListDir(path);
  if (names !== null) return names;
  if (lastErrno() != wasi.ERRNO_NOENT) fail('cannot list ' + path + ' (errno ' + lastErrno().toString() + ')');
  return new Array<string>();
}
