import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'number-stream-accumulation',
  language: 'rust',
  summary: 'A running total over two number streams, one value each per round (stateful).',
  wasmPath: examplePath('number-stream-accumulation', 'number-stream-accumulation.wasm'),
  sourcePath: examplePath('number-stream-accumulation', 'main.rs'),
  inputs: [
    '/input/number-stream-init.dat',
    '/input/number-stream-1.dat',
    '/input/number-stream-2.dat',
  ],
  outputs: ['/output/accumulation.dat'],
  generate,
  reference,
  // Large streams, yet memory stays small: the program seeks instead of reading them whole.
  largeSize: 1024 * 1024,
  memoryCapMib: 2,
  // Empty streams have no value for the first round: refused, as by Veracruz's.
  smallRefused: { below: 1, message: /number-stream-1\.dat: no value 0/ },
};
