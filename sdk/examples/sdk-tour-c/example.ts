import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'sdk-tour-c',
  language: 'c',
  summary:
    'Exercises every helper of sdk/c/veracruz.h once (a test of the header, not a Veracruz example).',
  wasmPath: examplePath('sdk-tour-c', 'sdk-tour-c.wasm'),
  sourcePath: examplePath('sdk-tour-c', 'main.c'),
  inputs: ['/input/data.bin'],
  outputs: ['/output/log.txt', '/output/anon.bin', '/output/facts.txt'],
  generate,
  reference,
  largeSize: 2 * 1024 * 1024,
  memoryCapMib: 6,
};
