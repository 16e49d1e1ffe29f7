import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'sealed-bid-auction',
  language: 'assemblyscript',
  summary: 'Second-price sealed-bid auction revealing only the winner and the price.',
  wasmPath: examplePath('sealed-bid-auction', 'sealed-bid-auction.wasm'),
  sourcePath: examplePath('sealed-bid-auction', 'assembly/index.ts'),
  inputs: ['/input/bids/*'],
  outputs: ['/output/auction.dat'],
  generate,
  reference,
  largeSize: 20_000,
  memoryCapMib: 4,
};
