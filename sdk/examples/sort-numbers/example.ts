import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'sort-numbers',
  language: 'assemblyscript',
  summary: 'Sorts a CSV line of u32 numbers (second stage of the sort pipeline).',
  wasmPath: examplePath('sort-numbers', 'sort-numbers.wasm'),
  sourcePath: examplePath('sort-numbers', 'assembly/index.ts'),
  inputs: ['/output/unsorted_numbers.txt'],
  outputs: ['/output/sorted_numbers.txt'],
  generate,
  reference,
  largeSize: 200_000,
  memoryCapMib: 44,
  // An empty file: Veracruz's program panics on parsing "" as a u32.
  smallRefused: { below: 1, message: /"" is not a u32: ParseIntError \{ kind: Empty \}/ },
};
