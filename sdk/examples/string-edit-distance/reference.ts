// Reference for string-edit-distance: the Jaro-Winkler similarity as strsim 0.10.0 (the crate
// Veracruz's example calls) defines it, over Unicode scalar values, written out independently in
// TypeScript with the same floating-point operations in the same order; postcard f64 output.
import { postcardF64s } from '../../../protocol/index.js';
import { files, need, type ExampleRun, type GuestFiles } from '../support/types.js';

const text = (bytes: Uint8Array): string[] => [
  ...new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes),
];

function jaro(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  if (a.length === 1 && b.length === 1) return a[0] === b[0] ? 1 : 0;
  // Matches within this distance count (strsim: max(len) / 2 - 1, in integers).
  const range = Math.floor(Math.max(a.length, b.length) / 2) - 1;
  const consumed = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  let transpositions = 0;
  let lastMatch = 0;
  for (let i = 0; i < a.length; i++) {
    const low = i > range ? i - range : 0;
    const high = Math.min(b.length - 1, i + range);
    for (let j = low; j <= high; j++) {
      if (a[i] === b[j] && !consumed[j]) {
        consumed[j] = true;
        matches += 1;
        // strsim counts a match left of the previous one as a transposition.
        if (j < lastMatch) transpositions += 1;
        lastMatch = j;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  return (1 / 3) * (matches / a.length + matches / b.length + (matches - transpositions) / matches);
}

function jaroWinkler(a: readonly string[], b: readonly string[]): number {
  const distance = jaro(a, b);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  const boosted = distance + 0.1 * prefix * (1 - distance);
  return boosted <= 1 ? boosted : 1;
}

export function reference(run: ExampleRun): GuestFiles {
  const left = text(need(run, '/input/hello-world-1.dat'));
  const right = text(need(run, '/input/hello-world-2.dat'));
  return files([['/output/string-edit-distance.dat', postcardF64s([jaroWinkler(left, right)])]]);
}
