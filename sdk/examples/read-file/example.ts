import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'read-file',
  language: 'rust',
  summary: 'Copies a file, creates a folder and a file, and lists /output.',
  wasmPath: examplePath('read-file', 'read-file.wasm'),
  sourcePath: examplePath('read-file', 'main.rs'),
  inputs: ['/input/hello-world-1.dat'],
  outputs: ['/output/hello-world-1.dat', '/output/test/test.txt', '/output/listing.txt'],
  generate,
  reference,
  largeSize: 8 * 1024 * 1024,
  memoryCapMib: 12,
};
