// random-source's bytes are unpredictable; the reference checks their shape instead.
import { files, type ExampleRun, type GuestFiles } from '../support/types.js';

export const OUTPUT = '/output/random.dat';

export function reference(_run: ExampleRun): GuestFiles {
  return files([]);
}

export function verify(_run: ExampleRun, outputs: GuestFiles): string | undefined {
  const data = outputs.get(OUTPUT);
  if (!data) return `${OUTPUT} is missing`;
  return data.length === 32 ? undefined : `expected 32 bytes, got ${data.length}`;
}
