import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { OUTPUT, reference, verify } from './reference.js';

export const example: Example = {
  name: 'random-u32-list',
  language: 'c',
  summary: 'Random u32 numbers as one CSV line (first stage of the sort pipeline).',
  wasmPath: examplePath('random-u32-list', 'random-u32-list.wasm'),
  sourcePath: examplePath('random-u32-list', 'main.c'),
  inputs: [],
  outputs: [OUTPUT],
  generate,
  reference,
  random: { outputs: [OUTPUT], verify },
  largeSize: 300_000,
  memoryCapMib: 1,
};
