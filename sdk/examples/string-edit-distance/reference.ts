// Reference for string-edit-distance: Wagner-Fischer over code points, column by column.
import { files, fromUtf8, need, type ExampleRun, type GuestFiles } from '../support/types.js';

function editDistance(a: readonly string[], b: readonly string[]): number {
  let column = Array.from({ length: a.length + 1 }, (_, i) => i);
  for (let j = 1; j <= b.length; j++) {
    const next = [j];
    for (let i = 1; i <= a.length; i++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next.push(
        Math.min((column[i] ?? 0) + 1, (next[i - 1] ?? 0) + 1, (column[i - 1] ?? 0) + cost),
      );
    }
    column = next;
  }
  return column[a.length] ?? 0;
}

export function reference(run: ExampleRun): GuestFiles {
  const a = [...fromUtf8(need(run, '/input/hello-world-1.dat'))];
  const b = [...fromUtf8(need(run, '/input/hello-world-2.dat'))];
  const out = new DataView(new ArrayBuffer(4));
  out.setUint32(0, editDistance(a, b), true);
  return files([['/output/string-edit-distance.dat', new Uint8Array(out.buffer)]]);
}
