import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'aesctr-native',
  language: 'rust',
  summary:
    "Encrypts and decrypts through the static AES-CTR native module (Veracruz's aesctr-native).",
  wasmPath: examplePath('aesctr-native', 'aesctr-native.wasm'),
  sourcePath: examplePath('aesctr-native', 'main.rs'),
  inputs: [],
  outputs: [
    '/output/aesctr_native_pass.txt',
    '/output/data.dat',
    '/output/dec.dat',
    '/output/enc.dat',
  ],
  generate,
  reference,
  largeSize: 0,
  memoryCapMib: 4,
  nativeModules: [
    { kind: 'static', name: 'Counter mode AES Service', specialFile: '/services/aesctr.dat' },
  ],
};
