import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'image-processing',
  language: 'assemblyscript',
  summary: 'Crops a private greyscale image (binary PGM) to the CROP rectangle.',
  wasmPath: examplePath('image-processing', 'image-processing.wasm'),
  sourcePath: examplePath('image-processing', 'assembly/index.ts'),
  inputs: ['/input/image-processing.pgm'],
  outputs: ['/output/image-processing.pgm'],
  generate,
  reference,
  largeSize: 8_000_000,
  memoryCapMib: 10,
};
