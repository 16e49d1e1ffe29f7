// Reference for sort-numbers: numeric ascending sort of the comma-separated line.
import { files, fromUtf8, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

export function sortLine(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  const numbers = trimmed.split(',').map((n) => Number.parseInt(n.trim(), 10));
  return `${numbers.sort((a, b) => a - b).join(',')}\n`;
}

export function reference(run: ExampleRun): GuestFiles {
  const sorted = sortLine(fromUtf8(need(run, '/output/unsorted_numbers.txt')));
  return files([['/output/sorted_numbers.txt', utf8(sorted)]]);
}
