// What the component runner sends to its worker thread. Replies use the sandbox's WorkerMessage
// shapes (enclave/runner/protocol.ts), so both runners report output, exits and traps alike.
import type { RightsTable } from '../../protocol/policy/types.js';
import type { VfsSnapshot } from '../vfs/snapshot.js';
import type { WasmModule } from '../wasm-api.js';

export interface ComponentWorkerInput {
  /** jco's generated glue (an ES module); evaluated only inside the worker. */
  readonly glue: string;
  /** Compiled core modules (memories already capped) by the name the glue asks for. */
  readonly modules: Readonly<Record<string, WasmModule>>;
  readonly snapshot: VfsSnapshot;
  readonly rights: RightsTable;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly clock: boolean;
  /** Deterministic mode: seeded random and a virtual clock. */
  readonly seed: number | undefined;
}
