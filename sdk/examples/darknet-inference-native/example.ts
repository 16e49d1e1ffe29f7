import { examplePath } from '../support/paths.js';
import type { NativeModuleBuild } from '../support/native-build.js';
import type { Example } from '../support/types.js';
import { CFG, IMAGE, LABELS, PREDICTION, WEIGHTS, generate } from './generate.js';
import { reference } from './reference.js';

const DARKNET = '/usr/lib/darknet';

/** The native module: darknet_inference.c against Debian's libdarknet. */
export const darknetModuleBuild: NativeModuleBuild = {
  source: examplePath('darknet-inference-native', 'darknet_inference.c'),
  compiler: 'gcc',
  args: [
    '-std=gnu11',
    '-Wall',
    '-Wextra',
    '-Werror',
    `-I${DARKNET}/include`,
    `-L${DARKNET}`,
    '-ldarknet',
    '-lm',
    `-Wl,-rpath,${DARKNET}`,
  ],
  needs: [
    { path: `${DARKNET}/include/darknet.h`, debianPackage: 'darknet' },
    { path: `${DARKNET}/libdarknet.so`, debianPackage: 'darknet' },
  ],
};

export const example: Example = {
  name: 'darknet-inference-native',
  language: 'rust',
  summary:
    "Veracruz's darknet inference program: a postcard request to a Dynamic native module that runs libdarknet on a frame.",
  wasmPath: examplePath('darknet-inference-native', 'darknet-inference-native.wasm'),
  sourcePath: examplePath('darknet-inference-native', 'main.rs'),
  inputs: [IMAGE, CFG, WEIGHTS, LABELS],
  outputs: [PREDICTION],
  generate,
  reference,
  // darknet computes in float32 with its own libm; the reference rounds where it does.
  comparison: { kind: 'detections', percent: 0.01, box: 1e-6 },
  largeSize: 1,
  // The module's address space: libdarknet links OpenCV, Qt and GStreamer (some 250 libraries,
  // about 330 MiB mapped before main); the policy's max_memory_mib is its RLIMIT_AS.
  memoryCapMib: 512,
  nativeModules: [
    {
      kind: 'dynamic',
      name: 'Darknet Inference Service',
      specialFile: '/services/darknet_inference.dat',
      build: darknetModuleBuild,
    },
  ],
};
