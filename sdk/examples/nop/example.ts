import { examplePath } from '../support/paths.js';
import { files, type Example } from '../support/types.js';

export const example: Example = {
  name: 'nop',
  language: 'rust',
  summary: 'Does nothing; exits 0.',
  wasmPath: examplePath('nop', 'nop.wasm'),
  sourcePath: examplePath('nop', 'main.rs'),
  inputs: [],
  outputs: [],
  generate: () => ({ files: files([]) }),
  reference: () => files([]),
  largeSize: 0,
  memoryCapMib: 2,
};
