import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'idash2017-logistic-regression',
  language: 'rust',
  summary:
    "Veracruz's IDASH 2017 logistic regression over postcard datasets (Nesterov, sigmoid polynomial).",
  wasmPath: examplePath('idash2017-logistic-regression', 'idash2017-logistic-regression.wasm'),
  sourcePath: examplePath('idash2017-logistic-regression', 'main.rs'),
  inputs: ['/input/idash2017/*'],
  outputs: ['/output/idash2017/*'],
  generate,
  reference,
  largeSize: 2_000,
  memoryCapMib: 32,
};
