import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'secret-election',
  language: 'c',
  summary:
    'Election count: one ballot per listed voter, a tally and a Merkle receipt for every voter.',
  wasmPath: examplePath('secret-election', 'secret-election.wasm'),
  sourcePath: examplePath('secret-election', 'main.c'),
  inputs: ['/input/election.txt', '/input/ballots/*'],
  outputs: ['/output/tally.json', '/output/receipt-*'],
  generate,
  reference,
  largeSize: 2_000,
  memoryCapMib: 4,
};
