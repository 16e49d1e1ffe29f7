import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { OUTPUT, reference, verify } from './reference.js';

export const example: Example = {
  name: 'random-source',
  language: 'assemblyscript',
  summary:
    "32 bytes from the host's random source, as a postcard Vec<u8> (seeded in deterministic mode).",
  wasmPath: examplePath('random-source', 'random-source.wasm'),
  sourcePath: examplePath('random-source', 'assembly/index.ts'),
  inputs: [],
  outputs: [OUTPUT],
  generate,
  reference,
  random: { outputs: [OUTPUT], verify },
  largeSize: 0,
  memoryCapMib: 1,
};
