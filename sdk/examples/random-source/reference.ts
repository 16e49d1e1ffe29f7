// random-source's bytes are unpredictable; the reference checks their shape instead.
import { files, type ExampleRun, type GuestFiles } from '../support/types.js';

export const OUTPUT = '/output/random.dat';

export function reference(_run: ExampleRun): GuestFiles {
  return files([]);
}

export function verify(_run: ExampleRun, outputs: GuestFiles): string | undefined {
  const data = outputs.get(OUTPUT);
  if (!data) return `${OUTPUT} is missing`;
  // postcard Vec<u8> of 32 bytes: the length 32 (one varint byte), then the bytes.
  if (data.length !== 33) return `expected 33 bytes (postcard Vec<u8> of 32), got ${data.length}`;
  return data[0] === 32 ? undefined : `expected the length byte 0x20, got ${data[0]}`;
}
