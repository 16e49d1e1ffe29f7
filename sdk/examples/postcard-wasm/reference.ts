// Reference for postcard-wasm: what serde_json's `to_string` writes for the postcard `Vec<Struct3>`
// in /input/postcard.dat, the same conversion as postcard-native's (one reference for both).
import { postcardJson } from '../postcard-native/reference.js';
import { files, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';
import { POSTCARD_INPUT } from './generate.js';

export const POSTCARD_OUTPUT = '/output/postcard_wasm.txt';

export function reference(run: ExampleRun): GuestFiles {
  return files([[POSTCARD_OUTPUT, utf8(postcardJson(need(run, POSTCARD_INPUT)))]]);
}
