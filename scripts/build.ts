// Builds the prebuilt artefacts: the enclave runtime bundle (dist/enclave-runtime.mjs, printing its
// measurement) and the `vc` command's bundle (dist/cli/, run by bin/vc.mjs while it is fresh). Run by
// `npm ci` and `npm install` (the root `prepare` script) and by `npm run build`:
//   node --import tsx scripts/build.ts
import { buildCliBundle } from '../cli/index.js';
import { buildRuntimeBundle, measureRuntime } from '../enclave/index.js';

const bundle = await buildRuntimeBundle();
const { measurement } = await measureRuntime({ bundle });
const cli = await buildCliBundle();
console.log(`enclave runtime: ${bundle}\nmeasurement: ${measurement}\nvc: ${cli}`);
