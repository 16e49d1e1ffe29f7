import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'linear-regression',
  language: 'c',
  summary: 'Least-squares line (gradient, intercept) through private (x, y) points.',
  wasmPath: examplePath('linear-regression', 'linear-regression.wasm'),
  sourcePath: examplePath('linear-regression', 'main.c'),
  inputs: ['/input/linear-regression.dat'],
  outputs: ['/output/linear-regression.dat'],
  generate,
  reference,
  largeSize: 512 * 1024,
  memoryCapMib: 10,
};
