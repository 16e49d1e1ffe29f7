// Test helpers of sdk/: what tests in other folders may import (docs/architecture.md, Faces).
export { outputMismatch } from '../examples/support/compare.js';
export { buildNativeModule, nativeBuildMissing } from '../examples/support/native-build.js';
export { mnistText } from '../examples/mnist-classifier/reference.js';
export { outputTensor as tfliteOutputTensor } from '../examples/tflite-inference-native-mnist/reference.js';
