// Builds the enclave runtime bundle (dist/enclave-runtime.mjs) and prints its measurement. Run by
// `npm ci` and `npm install` (the root `prepare` script) and by `npm run build`:
//   node --import tsx scripts/build-enclave-runtime.ts
import { buildRuntimeBundle, measureRuntime } from '../enclave/index.js';

const bundle = await buildRuntimeBundle();
const { measurement } = await measureRuntime({ bundle });
console.log(`enclave runtime: ${bundle}\nmeasurement: ${measurement}`);
