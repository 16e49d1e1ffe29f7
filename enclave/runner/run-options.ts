// What one guest execution is given and what it returns, shared by both ways a program runs: core
// modules (run-program.ts) and WASI 0.2 components (enclave/component/run-component.ts). Kept apart
// so that neither runner imports the other's module.
import type { RightsTable } from '../../protocol/index.js';
import type { Vfs } from '../vfs/vfs.js';

export interface RunLimits {
  /** Cap on the guest's linear memory (Veracruz's max_memory_mib). */
  readonly maxMemoryMib: number;
  /** Wall-clock budget of the execution, worker start included. */
  readonly timeoutMs: number;
  /** Byte quota for this run (the lower of this and the Vfs's own quota applies). */
  readonly quotaBytes?: number;
}

export const DEFAULT_LIMITS: RunLimits = { maxMemoryMib: 256, timeoutMs: 60_000 };

export interface RunOptions {
  readonly program: Uint8Array;
  readonly vfs: Vfs;
  /** Rights of the executing principal (the program's entry of the policy). */
  readonly rights: RightsTable;
  /** argv[0] seen by the guest. */
  readonly programName?: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly limits?: Partial<RunLimits>;
  /** Veracruz's enable_clock: without it every clock call fails with ENOTCAPABLE. */
  readonly clock?: boolean;
  /** Deterministic mode: random_get is seeded and clocks are virtual. */
  readonly seed?: number;
  /** Replaces the `stdin` pseudo file for this run. */
  readonly stdin?: Uint8Array;
  readonly onStdout?: (bytes: Uint8Array) => void;
  readonly onStderr?: (bytes: Uint8Array) => void;
  /** Receives one line per WASI call (`vc run --strace`). */
  readonly trace?: (line: string) => void;
}

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
}
