import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { generate } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'moving-average-convergence-divergence',
  language: 'rust',
  summary: 'MACD trading decisions from private price series (weighted moving averages).',
  wasmPath: examplePath(
    'moving-average-convergence-divergence',
    'moving-average-convergence-divergence.wasm',
  ),
  sourcePath: examplePath('moving-average-convergence-divergence', 'main.rs'),
  inputs: ['/input/macd/*'],
  outputs: ['/output/macd/*'],
  generate,
  reference,
  largeSize: 200_000,
  memoryCapMib: 16,
  // Veracruz's example panics below 34 prices; ours says why.
  smallRefused: { below: 34, message: /prices; MACD needs at least 34/ },
};
