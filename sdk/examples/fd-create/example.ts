import { examplePath } from '../support/paths.js';
import { files, utf8, type Example } from '../support/types.js';

export const example: Example = {
  name: 'fd-create',
  language: 'c',
  summary: "Writes, seeks and reads back an anonymous file from Veracruz's fd_create.",
  wasmPath: examplePath('fd-create', 'fd-create.wasm'),
  sourcePath: examplePath('fd-create', 'main.c'),
  inputs: [],
  outputs: ['/output/pass'],
  // `size` is the number of bytes written to the anonymous file (SIZE; unset, Veracruz's 10000).
  generate: (_seed, size) => ({ files: files([]), env: { SIZE: String(size) } }),
  reference: () => files([['/output/pass', utf8('X')]]),
  largeSize: 4 * 1024 * 1024,
  memoryCapMib: 10,
};
