import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'string-edit-distance',
  language: 'rust',
  summary: 'Levenshtein distance between two private texts.',
  wasmPath: examplePath('string-edit-distance', 'string-edit-distance.wasm'),
  sourcePath: examplePath('string-edit-distance', 'main.rs'),
  inputs: ['/input/hello-world-1.dat', '/input/hello-world-2.dat'],
  outputs: ['/output/string-edit-distance.dat'],
  generate,
  reference,
  // Time grows with the product of the lengths but memory only with their sum (two rows), so
  // the large case stays small in memory.
  largeSize: 6000,
  memoryCapMib: 2,
};
