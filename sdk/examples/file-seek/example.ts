import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'file-seek',
  language: 'c',
  summary: 'Copies /input/README.md from byte SKIP on, using lseek.',
  wasmPath: examplePath('file-seek', 'file-seek.wasm'),
  sourcePath: examplePath('file-seek', 'main.c'),
  inputs: ['/input/README.md'],
  outputs: ['/output/NEW_README.md'],
  generate,
  reference,
  largeSize: 200_000,
  memoryCapMib: 15,
};
