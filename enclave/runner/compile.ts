// Compiles checked guest modules. V8 starts wasm functions in its baseline compiler (Liftoff) and
// tiers up per function, but a function already running (a guest's main loop) never leaves
// Liftoff, which costs 1.5-3x on compute kernels. So guests are compiled by the optimising
// compiler up front: a process-wide V8 setting, set once, before the first guest compiles.
import { setFlagsFromString } from 'node:v8';
import { Wasm, type WasmModule } from '../wasm-api.js';

let configured = false;

export async function compileGuest(bytes: Uint8Array): Promise<WasmModule> {
  if (!configured) {
    setFlagsFromString('--no-liftoff');
    configured = true;
  }
  // A pending WebAssembly.compile holds no event-loop handle: with nothing else alive, Node would
  // exit in the middle of it (silently, as with an unsettled top-level await). Hold one.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    return await Wasm.compile(bytes);
  } finally {
    clearInterval(keepAlive);
  }
}
