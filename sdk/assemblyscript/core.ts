// Process exit, errors, descriptor I/O and the standard streams.
import * as wasi from './wasi';

let errnoValue: u16 = 0;

/** The WASI errno of the last failed SDK call. */
export function lastErrno(): u16 {
  return errnoValue;
}

/** Records `err` as the last errno and returns it. */
export function setErrno(err: u16): u16 {
  errnoValue = err;
  return err;
}

/** Ends the program with `code` (0 = success). */
export function exit(code: i32): void {
  wasi.proc_exit(<u32>code);
  unreachable();
}

/** Prints `message` to stderr and exits with `code`. */
export function fail(message: string, code: i32 = 1): void {
  eprint(message);
  exit(code);
}

/** Use with `asc --use abort=sdk/assemblyscript/index/abortHandler`: reports and exits 134. */
export function abortHandler(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = 'abort: ' + (message !== null ? message : '');
  if (fileName !== null) text += ' at ' + fileName + ':' + line.toString() + ':' + column.toString();
  eprint(text);
  exit(134);
}

/** Writes all of `data` to `fd`; returns the errno (0 = success). */
export function writeAll(fd: u32, data: Uint8Array): u16 {
  const iov = memory.data(8);
  const written = memory.data(4);
  let offset = 0;
  while (offset < data.length) {
    store<usize>(iov, data.dataStart + offset);
    store<u32>(iov + 4, data.length - offset);
    const err = wasi.fd_write(fd, iov, 1, written);
    if (err != 0) return setErrno(err);
    const n = load<u32>(written);
    if (n == 0) return setErrno(wasi.ERRNO_INVAL);
    offset += n;
  }
  return 0;
}

/** Reads `fd` from its current offset to the end; null (see `lastErrno`) on error. */
export function readAll(fd: u32, sizeHint: i32 = 4096): Uint8Array | null {
  const iov = memory.data(8);
  const nread = memory.data(4);
  // One byte more than the hint, so a file of exactly `sizeHint` bytes needs no regrowth.
  let buf = new Uint8Array(max(sizeHint, 0) + 1);
  let length = 0;
  while (true) {
    if (length == buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      memory.copy(bigger.dataStart, buf.dataStart, length);
      buf = bigger;
    }
    store<usize>(iov, buf.dataStart + length);
    store<u32>(iov + 4, buf.length - length);
    const err = wasi.fd_read(fd, iov, 1, nread);
    if (err != 0) {
      setErrno(err);
      return null;
    }
    const n = load<u32>(nread);
    if (n == 0) break;
    length += n;
  }
  return buf.subarray(0, length);
}

/** Moves the offset of `fd`; returns the new offset, or -1 on error. */
export function seek(fd: u32, offset: i64, whence: u8): i64 {
  const out = memory.data(8);
  const err = wasi.fd_seek(fd, offset, whence, out);
  if (err != 0) {
    setErrno(err);
    return -1;
  }
  return load<i64>(out);
}

export function closeFd(fd: u32): void {
  wasi.fd_close(fd);
}

/** Veracruz's `fd_create`: a fresh anonymous read-write file; returns its fd, or -1. */
export function fdCreate(): i32 {
  const out = memory.data(4);
  const err = wasi.veracruz_fd_create(out);
  if (err != 0) {
    setErrno(<u16>err);
    return -1;
  }
  return <i32>load<u32>(out);
}

/** All of stdin. */
export function readStdin(): Uint8Array {
  const data = readAll(0);
  if (data === null) {
    fail('cannot read stdin (errno ' + errnoValue.toString() + ')');
    return new Uint8Array(0);
  }
  return data;
}

export function writeStdout(data: Uint8Array): void {
  writeAll(1, data);
}

/** Writes `text` and a newline to stdout. */
export function print(text: string): void {
  writeAll(1, Uint8Array.wrap(String.UTF8.encode(text + '\n')));
}

/** Writes `text` and a newline to stderr. */
export function eprint(text: string): void {
  writeAll(2, Uint8Array.wrap(String.UTF8.encode(text + '\n')));
}
