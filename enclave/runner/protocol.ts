// Messages between the runner (main thread) and the worker thread running one execution. Core
// modules and WASI 0.2 components send different code but the same guest settings, and their
// workers reply with the same messages.
import type { ErrorCode, RightsTable } from '../../protocol/index.js';
import type { NativeSettings } from '../native/special-files.js';
import type { VfsDiff, VfsSnapshot } from '../vfs/snapshot.js';
import type { WasmModule } from '../wasm-api.js';

/** What every execution's worker gets besides the code: the guest's view and its settings. */
export interface GuestInput {
  readonly snapshot: VfsSnapshot;
  readonly rights: RightsTable;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly clock: boolean;
  /** Deterministic mode: seeded random and a virtual clock. */
  readonly seed: number | undefined;
  /** The parts of the run's budget the worker's WASI host enforces (the tree's are in `snapshot`). */
  readonly maxOutputBytes: number;
  readonly maxOpenFiles: number;
  /** Streamed standard input (stdin-channel.ts); absent: stdin is the pseudo file. */
  readonly stdinChannel?: SharedArrayBuffer | undefined;
  /** Native modules served through special files (docs/policy.md#native-modules). */
  readonly native?: NativeSettings;
}

export interface WorkerInput extends GuestInput {
  readonly module: WasmModule;
  readonly trace: boolean;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'output'; readonly stream: 'stdout' | 'stderr'; readonly bytes: Uint8Array }
  | { readonly type: 'trace'; readonly line: string }
  | { readonly type: 'stdin' }
  | { readonly type: 'exit'; readonly exitCode: number; readonly diff: VfsDiff }
  | { readonly type: 'trap'; readonly message: string }
  | { readonly type: 'failure'; readonly code: ErrorCode; readonly message: string };
