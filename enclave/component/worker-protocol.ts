// What the component runner sends to its worker thread: the sandbox's guest settings
// (enclave/runner/protocol.ts) plus jco's glue and the core modules. Replies use the sandbox's
// WorkerMessage shapes, so both runners report output, exits and traps alike.
import type { GuestInput } from '../runner/protocol.js';
import type { WasmModule } from '../wasm-api.js';

export interface ComponentWorkerInput extends GuestInput {
  /** jco's generated glue (an ES module); evaluated only inside the worker. */
  readonly glue: string;
  /** Compiled core modules (memories already capped) by the name the glue asks for. */
  readonly modules: Readonly<Record<string, WasmModule>>;
}
