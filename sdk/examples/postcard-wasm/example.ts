import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate, POSTCARD_INPUT } from './generate.js';
import { POSTCARD_OUTPUT, reference } from './reference.js';

export const example: Example = {
  name: 'postcard-wasm',
  language: 'rust',
  summary: "Veracruz's postcard-wasm: a postcard Vec<Struct3> of made-up types rewritten as JSON.",
  wasmPath: examplePath('postcard-wasm', 'postcard-wasm.wasm'),
  sourcePath: examplePath('postcard-wasm', 'main.rs'),
  inputs: [POSTCARD_INPUT],
  outputs: [POSTCARD_OUTPUT],
  generate,
  reference,
  largeSize: 20_000,
  memoryCapMib: 64,
};
