import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'intersection-set-sum',
  language: 'assemblyscript',
  summary: 'Number and total spend of customers who also viewed an advertisement.',
  wasmPath: examplePath('intersection-set-sum', 'intersection-set-sum.wasm'),
  sourcePath: examplePath('intersection-set-sum', 'assembly/index.ts'),
  inputs: ['/input/intersection-advertisement-viewer.dat', '/input/intersection-customer.dat'],
  outputs: ['/output/intersection-set-sum.dat'],
  generate,
  reference,
  largeSize: 100_000,
  memoryCapMib: 26,
};
