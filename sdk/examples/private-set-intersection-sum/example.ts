import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'private-set-intersection-sum',
  language: 'c',
  summary: 'Per batch: how many data ids are in the sample, and the sum of their values.',
  wasmPath: examplePath('private-set-intersection-sum', 'private-set-intersection-sum.wasm'),
  sourcePath: examplePath('private-set-intersection-sum', 'main.c'),
  inputs: ['/input/private-set-inter-sum/*/data.dat', '/input/private-set-inter-sum/*/sample.dat'],
  outputs: ['/output/private-set-inter-sum/*'],
  generate,
  reference,
  largeSize: 200_000,
  memoryCapMib: 12,
};
