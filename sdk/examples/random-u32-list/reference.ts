// random-u32-list's numbers are unpredictable; the reference checks their shape instead.
import { files, fromUtf8, type ExampleRun, type GuestFiles } from '../support/types.js';

export const OUTPUT = '/output/unsorted_numbers.txt';

/** No output is predictable. */
export function reference(_run: ExampleRun): GuestFiles {
  return files([]);
}

/** COUNT decimal u32 values joined by commas, no newline (an empty file for none). */
export function verify(run: ExampleRun, outputs: GuestFiles): string | undefined {
  const count = Number(run.env?.['COUNT'] ?? '32');
  const data = outputs.get(OUTPUT);
  if (!data) return `${OUTPUT} is missing`;
  const text = fromUtf8(data);
  if (count === 0)
    return text === '' ? undefined : `expected an empty file, got ${JSON.stringify(text)}`;
  if (text.endsWith('\n')) return 'the line ends with a newline (Veracruz writes none)';
  const numbers = text.split(',');
  if (numbers.length !== count) return `expected ${count} numbers, got ${numbers.length}`;
  const bad = numbers.find((n) => !/^(0|[1-9]\d*)$/.test(n) || Number(n) > 0xffffffff);
  return bad === undefined ? undefined : `not a u32: ${JSON.stringify(bad)}`;
}
