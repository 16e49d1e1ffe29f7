import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'keep-primes',
  language: 'c',
  summary:
    'Keeps the primes of a CSV line of numbers, in place (second stage of the primes pipeline).',
  wasmPath: examplePath('keep-primes', 'keep-primes.wasm'),
  sourcePath: examplePath('keep-primes', 'main.c'),
  inputs: ['/output/number-set.txt'],
  outputs: ['/output/number-set.txt'],
  generate,
  reference,
  largeSize: 500_000,
  memoryCapMib: 12,
};
