import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'private-set-intersection',
  language: 'rust',
  summary: "The employee records present in both parties' sets, and nothing else.",
  wasmPath: examplePath('private-set-intersection', 'private-set-intersection.wasm'),
  sourcePath: examplePath('private-set-intersection', 'main.rs'),
  inputs: ['/input/private-set-1.dat', '/input/private-set-2.dat'],
  outputs: ['/output/private-set.dat'],
  generate,
  reference,
  largeSize: 100_000,
  memoryCapMib: 24,
};
