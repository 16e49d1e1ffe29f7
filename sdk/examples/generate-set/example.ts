import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'generate-set',
  language: 'rust',
  summary: 'Writes 2..=LIMIT as one CSV line (first stage of the primes pipeline).',
  wasmPath: examplePath('generate-set', 'generate-set.wasm'),
  sourcePath: examplePath('generate-set', 'main.rs'),
  inputs: [],
  outputs: ['/output/number-set.txt'],
  generate,
  reference,
  largeSize: 1_000_000,
  memoryCapMib: 52,
};
