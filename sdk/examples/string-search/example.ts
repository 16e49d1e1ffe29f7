import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'string-search',
  language: 'assemblyscript',
  summary: 'The lines of a private text that contain QUERY.',
  wasmPath: examplePath('string-search', 'string-search.wasm'),
  sourcePath: examplePath('string-search', 'assembly/index.ts'),
  inputs: ['/input/hello-world-1.dat'],
  outputs: ['/output/search_results.dat'],
  generate,
  reference,
  largeSize: 100_000,
  memoryCapMib: 26,
};
