// Command-line arguments, environment variables and randomness.
import * as wasi from './wasi';
import { fail } from './core';

function decodeList(count: u32, ptrs: ArrayBuffer): string[] {
  const out = new Array<string>();
  for (let i: u32 = 0; i < count; i++) {
    const start = load<u32>(changetype<usize>(ptrs) + i * 4);
    let end = start;
    while (load<u8>(end) != 0) end++;
    out.push(String.UTF8.decodeUnsafe(start, end - start));
  }
  return out;
}

/** Command-line arguments, argv[0] first. */
export function getArgs(): string[] {
  const sizes = memory.data(8);
  if (wasi.args_sizes_get(sizes, sizes + 4) != 0) return new Array<string>();
  const count = load<u32>(sizes);
  const ptrs = new ArrayBuffer(<i32>(count * 4));
  const buf = new ArrayBuffer(<i32>load<u32>(sizes + 4));
  if (wasi.args_get(changetype<usize>(ptrs), changetype<usize>(buf)) != 0) return new Array<string>();
  return decodeList(count, ptrs);
}

/** Every environment variable as `KEY=VALUE`. */
export function getEnviron(): string[] {
  const sizes = memory.data(8);
  if (wasi.environ_sizes_get(sizes, sizes + 4) != 0) return new Array<string>();
  const count = load<u32>(sizes);
  const ptrs = new ArrayBuffer(<i32>(count * 4));
  const buf = new ArrayBuffer(<i32>load<u32>(sizes + 4));
  if (wasi.environ_get(changetype<usize>(ptrs), changetype<usize>(buf)) != 0) return new Array<string>();
  return decodeList(count, ptrs);
}

/** The value of environment variable `name`, or null. */
export function getEnv(name: string): string | null {
  const vars = getEnviron();
  const prefix = name + '=';
  for (let i = 0; i < vars.length; i++) {
    if (vars[i].startsWith(prefix)) return vars[i].substring(prefix.length);
  }
  return null;
}

/** `n` bytes from the host's random source (seeded in deterministic mode). */
export function randomBytes(n: i32): Uint8Array {
  const out = new Uint8Array(n);
  if (n > 0 && wasi.random_get(out.dataStart, n) != 0) fail('random_get failed');
  return out;
}

/** A random u32 (little-endian from four random bytes). */
export function randomU32(): u32 {
  const scratch = memory.data(4);
  if (wasi.random_get(scratch, 4) != 0) fail('random_get failed');
  return load<u32>(scratch);
}
