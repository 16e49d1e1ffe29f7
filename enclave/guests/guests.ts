// The committed guest test programs (built by scripts/build-test-guests.sh), for tests and benches.
import { readFileSync } from 'node:fs';

export type GuestName =
  | 'big_write'
  | 'copy'
  | 'escape'
  | 'forbidden_import'
  | 'hostile'
  | 'loop'
  | 'malloc_bomb'
  | 'rights'
  | 'stdio'
  | 'special_file'
  | 'trap'
  | 'wasi_calls';

function guestPath(name: GuestName): URL {
  return new URL(`./${name}.wasm`, import.meta.url);
}

export function guestBytes(name: GuestName): Uint8Array {
  return readFileSync(guestPath(name));
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
export const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

/** `name value...` lines printed by a guest, keyed by name. */
export function lines(output: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text(output).split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) out.set(line.slice(0, space), line.slice(space + 1));
  }
  return out;
}
