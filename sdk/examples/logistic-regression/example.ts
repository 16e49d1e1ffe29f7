import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'logistic-regression',
  language: 'c',
  summary:
    "Veracruz's logistic regression (rusty-machine's defaults) on two parties' postcard datasets.",
  wasmPath: examplePath('logistic-regression', 'logistic-regression.wasm'),
  sourcePath: examplePath('logistic-regression', 'main.c'),
  inputs: ['/input/logistic-regression-0.dat', '/input/logistic-regression-1.dat'],
  outputs: ['/output/logistic-regression.dat'],
  generate,
  reference,
  comparison: { kind: 'f64', relativeTolerance: 1e-9, header: 1 },
  largeSize: 60_000,
  memoryCapMib: 16,
};
