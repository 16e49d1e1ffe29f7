// Reference for generate-set: the numbers 2..=LIMIT on one CSV line.
import { files, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

export function numberLine(limit: number): string {
  const numbers: number[] = [];
  for (let n = 2; n <= limit; n++) numbers.push(n);
  return numbers.length === 0 ? '' : `${numbers.join(',')}\n`;
}

export function reference(run: ExampleRun): GuestFiles {
  return files([['/output/number-set.txt', utf8(numberLine(Number(run.env?.['LIMIT'] ?? '0')))]]);
}
