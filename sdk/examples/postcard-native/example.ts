import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'postcard-native',
  language: 'rust',
  summary:
    "Turns a postcard Vec<Struct3> into JSON through the static Postcard native module (Veracruz's postcard-native).",
  wasmPath: examplePath('postcard-native', 'postcard-native.wasm'),
  sourcePath: examplePath('postcard-native', 'main.rs'),
  inputs: ['/input/postcard.dat'],
  outputs: ['/output/postcard_native.txt'],
  generate,
  reference,
  largeSize: 20_000,
  memoryCapMib: 64,
  nativeModules: [
    { kind: 'static', name: 'Postcard Service', specialFile: '/services/postcard_string.dat' },
  ],
};
