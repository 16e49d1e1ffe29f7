import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { DIGIT, generate, MODEL } from './generate.js';
import { reference } from './reference.js';

export const example: Example = {
  name: 'mnist-classifier',
  language: 'rust',
  summary:
    "Veracruz's TensorFlow Lite MNIST example in Wasm: a uint8-quantized network reads a digit.",
  wasmPath: examplePath('mnist-classifier', 'mnist-classifier.wasm'),
  sourcePath: examplePath('mnist-classifier', 'main.rs'),
  inputs: [DIGIT, MODEL],
  outputs: ['/output/mnist.txt'],
  generate,
  reference,
  largeSize: 1,
  memoryCapMib: 8,
};
