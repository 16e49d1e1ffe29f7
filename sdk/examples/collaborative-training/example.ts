import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'collaborative-training',
  language: 'c',
  summary:
    "Logistic regression trained on the union of several parties' rows, scored on each one's held-out rows.",
  wasmPath: examplePath('collaborative-training', 'collaborative-training.wasm'),
  sourcePath: examplePath('collaborative-training', 'main.c'),
  inputs: ['/input/train-*', '/input/held-out-*'],
  outputs: ['/output/model.dat', '/output/accuracy-*'],
  generate,
  reference,
  comparison: { kind: 'f64', relativeTolerance: 1e-9 },
  largeSize: 20_000,
  memoryCapMib: 4,
};
