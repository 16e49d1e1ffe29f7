import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'shamir-secret-sharing',
  language: 'rust',
  summary: "Rebuilds a secret from Shamir shares over GF(256) (Veracruz's quickstart).",
  wasmPath: examplePath('shamir-secret-sharing', 'shamir-secret-sharing.wasm'),
  sourcePath: examplePath('shamir-secret-sharing', 'main.rs'),
  inputs: ['/input/shamir-*.dat'],
  outputs: ['/output/shamir.dat'],
  generate,
  reference,
  largeSize: 4 * 1024 * 1024,
  memoryCapMib: 20,
};
