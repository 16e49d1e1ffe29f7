import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { DETECTOR, generate, IMAGE, LABELS } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'object-detection',
  language: 'rust',
  summary:
    "Veracruz's darknet inference example in Wasm: a quantized grid detector finds shapes in a frame.",
  wasmPath: examplePath('object-detection', 'object-detection.wasm'),
  sourcePath: examplePath('object-detection', 'main.rs'),
  inputs: [IMAGE, DETECTOR, LABELS],
  outputs: ['/output/prediction.log'],
  generate,
  reference,
  largeSize: 1,
  memoryCapMib: 8,
};
