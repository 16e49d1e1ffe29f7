import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'string-edit-distance',
  language: 'rust',
  summary: 'Jaro-Winkler similarity of two private texts (strsim, as Veracruz).',
  wasmPath: examplePath('string-edit-distance', 'string-edit-distance.wasm'),
  sourcePath: examplePath('string-edit-distance', 'main.rs'),
  inputs: ['/input/hello-world-1.dat', '/input/hello-world-2.dat'],
  outputs: ['/output/string-edit-distance.dat'],
  generate,
  reference,
  // Time grows with the product of the lengths (strsim scans the whole second text for each
  // character of the first) but memory only with their sum.
  largeSize: 6000,
  memoryCapMib: 2,
};
