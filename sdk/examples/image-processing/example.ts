import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'image-processing',
  language: 'rust',
  summary: 'Crops a private PNG image to its top-left 100 x 100 pixels (as Veracruz).',
  wasmPath: examplePath('image-processing', 'image-processing.wasm'),
  sourcePath: examplePath('image-processing', 'main.rs'),
  inputs: ['/input/image-processing.png'],
  outputs: ['/output/image-processing.png'],
  generate,
  reference,
  largeSize: 20_000,
  memoryCapMib: 40,
  // No image at all: an empty file is not a PNG.
  smallRefused: { below: 1, message: /image-processing\.png: not a PNG/ },
};
