import { debianMultiarch } from '../support/native-build.js';
import { examplePath } from '../support/paths.js';
import type { Example } from '../support/types.js';
import { DIGIT, generate, MODEL } from './generate.js';
import { reference } from './reference.js';

const lib = `/usr/lib/${debianMultiarch()}`;
/** Where Debian's libarmnn-cpuref-backend22 puts Arm NN's reference CPU backend. */
const BACKENDS = `${lib}/armnn22`;

export const example: Example = {
  name: 'tflite-inference-native-mnist',
  language: 'rust',
  summary:
    "Veracruz's TensorFlow Lite MNIST example: a Wasm program asks a dynamic native module (Arm NN) to classify a digit.",
  wasmPath: examplePath('tflite-inference-native-mnist', 'tflite-inference-native-mnist.wasm'),
  sourcePath: examplePath('tflite-inference-native-mnist', 'main.rs'),
  inputs: [DIGIT, MODEL],
  outputs: ['/output/mnist.txt'],
  generate,
  reference,
  largeSize: 1,
  // The dynamic module runs under the same cap, as its address space: Arm NN needs about 11 MiB
  // (docs/guest-programs.md#the-tflite-inference-service).
  memoryCapMib: 64,
  nativeModules: [
    {
      kind: 'dynamic',
      name: 'TensorFlow Lite Inference Service',
      specialFile: '/services/tflite_inference.dat',
      build: {
        source: examplePath('tflite-inference-native-mnist', 'tflite_inference.cpp'),
        compiler: 'g++',
        args: [
          '-std=c++17',
          `-DARMNN_BACKENDS_DIR="${BACKENDS}"`,
          '-larmnnTfLiteParser',
          '-larmnn',
        ],
        needs: [
          { path: '/usr/include/armnn/ArmNN.hpp', debianPackage: 'libarmnn-dev' },
          {
            path: '/usr/include/armnnTfLiteParser/ITfLiteParser.hpp',
            debianPackage: 'libarmnntfliteparser-dev',
          },
          { path: `${BACKENDS}/Arm_CpuRef_backend.so`, debianPackage: 'libarmnn-cpuref-backend22' },
        ],
      },
    },
  ],
};
