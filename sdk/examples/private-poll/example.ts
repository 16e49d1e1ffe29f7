import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'private-poll',
  language: 'c',
  summary: 'Poll tally revealing counts only for options with at least k votes.',
  wasmPath: examplePath('private-poll', 'private-poll.wasm'),
  sourcePath: examplePath('private-poll', 'main.c'),
  inputs: ['/input/votes/*', '/input/poll-threshold.dat'],
  outputs: ['/output/poll.dat'],
  generate,
  reference,
  largeSize: 20_000,
  memoryCapMib: 2,
};
