import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'huffman-encoding',
  language: 'c',
  summary: 'Huffman code of a private text (as 0/1 characters) and its decoding.',
  wasmPath: examplePath('huffman-encoding', 'huffman-encoding.wasm'),
  sourcePath: examplePath('huffman-encoding', 'main.c'),
  inputs: ['/input/hello-world-1.dat'],
  outputs: ['/output/encoded_output.dat'],
  generate,
  reference,
  largeSize: 1_000_000,
  memoryCapMib: 8,
};
