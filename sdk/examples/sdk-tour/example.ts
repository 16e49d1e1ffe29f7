import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'sdk-tour',
  language: 'assemblyscript',
  summary:
    'Exercises every AssemblyScript SDK helper once (a test of the SDK, not a Veracruz example).',
  wasmPath: examplePath('sdk-tour', 'sdk-tour.wasm'),
  sourcePath: examplePath('sdk-tour', 'assembly/index.ts'),
  inputs: ['/input/data.bin'],
  outputs: ['/output/log.txt', '/output/dir/copy.bin', '/output/anon.bin', '/output/facts.txt'],
  generate,
  reference,
  largeSize: 2 * 1024 * 1024,
  memoryCapMib: 8,
};
