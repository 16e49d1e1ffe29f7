// aesctr-native reads no input: as Veracruz's, its key, IV and messages are in the program.
import { files, type ExampleRun } from '../support/types.js';

export function generate(_seed: number, _size: number): ExampleRun {
  return { files: files([]) };
}
