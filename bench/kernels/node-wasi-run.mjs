// Runs a kernel under Node's node:wasi, in a process of its own (a reference for the sandbox
// benchmark; never used for guests). Usage: node --no-liftoff node-wasi-run.mjs KERNEL.wasm [GUEST_DIR HOST_DIR] [ARGS...]
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [wasmPath, guestDir, hostDir, ...args] = process.argv.slice(2);
const preopens = guestDir && hostDir ? { [guestDir]: hostDir } : {};
const wasi = new WASI({
  version: 'preview1',
  args: ['kernel', ...args],
  env: {},
  preopens,
  returnOnExit: true,
});
const module = await WebAssembly.compile(readFileSync(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
