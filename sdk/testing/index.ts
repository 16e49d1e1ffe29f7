// Test helpers of sdk/: what tests in other folders may import (docs/architecture.md, Faces).
export { outputMismatch } from '../examples/support/compare.js';
export { buildNativeModule, nativeBuildMissing } from '../examples/support/native-build.js';
