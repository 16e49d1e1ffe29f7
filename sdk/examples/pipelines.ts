// The example pipelines: several example programs run in order over one file system.
import { type ExamplePipeline, type GuestFiles, fromUtf8 } from './support/types.js';
import { sortLine } from './sort-numbers/reference.js';
import { verify as verifyRandomList } from './random-u32-list/reference.js';
import { numberLine } from './generate-set/reference.js';
import { keepPrimes } from './keep-primes/reference.js';

const text = (outputs: GuestFiles, path: string): string | undefined => {
  const data = outputs.get(path);
  return data ? fromUtf8(data) : undefined;
};

export const randomSort: ExamplePipeline = {
  name: 'random-sort',
  summary: 'random-u32-list draws numbers, sort-numbers sorts them.',
  programs: ['random-u32-list', 'sort-numbers'],
  pipeline: '/program/random-u32-list.wasm ; /program/sort-numbers.wasm',
  env: { COUNT: '500' },
  verify(outputs, env) {
    const shape = verifyRandomList({ files: new Map(), env }, outputs);
    if (shape) return shape;
    const unsorted = text(outputs, '/output/unsorted_numbers.txt') ?? '';
    const sorted = text(outputs, '/output/sorted_numbers.txt');
    if (sorted === undefined) return '/output/sorted_numbers.txt is missing';
    return sorted === sortLine(unsorted) ? undefined : 'sorted_numbers.txt is not the sorted list';
  },
};

export const primes: ExamplePipeline = {
  name: 'primes',
  summary: 'generate-set writes 2..=LIMIT, keep-primes keeps the primes.',
  programs: ['generate-set', 'keep-primes'],
  pipeline: '/program/generate-set.wasm ; /program/keep-primes.wasm',
  env: { LIMIT: '5000' },
  verify(outputs, env) {
    const got = text(outputs, '/output/number-set.txt');
    const want = keepPrimes(numberLine(Number(env['LIMIT'] ?? '0')));
    return got === want
      ? undefined
      : `number-set.txt: got ${got?.slice(0, 60)}, expected ${want.slice(0, 60)}`;
  },
};
