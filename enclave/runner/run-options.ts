// What one guest execution is given and what it returns, shared by both ways a program runs: core
// modules (run-program.ts) and WASI 0.2 components (enclave/component/run-component.ts). Kept apart
// so that neither runner imports the other's module.
import type { Policy, RightsTable } from '../../protocol/index.js';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_NAME_BYTES } from '../vfs/inode-tree.js';
import type { Vfs } from '../vfs/vfs.js';

/**
 * One execution's resource budget: everything a guest can make the host hold, and for how long.
 * Growth past a cap fails inside the guest where WebAssembly or POSIX has a way to say so (memory.grow
 * and table.grow return -1, EDQUOT, EMFILE, ENAMETOOLONG); output past its cap ends the run with
 * ERR_RESOURCE_LIMIT. docs/sandbox.md states the defaults.
 */
export interface RunLimits {
  /** Cap on the guest's linear memory (Veracruz's max_memory_mib). */
  readonly maxMemoryMib: number;
  /** Cap on the entries of all the module's tables together (the module rewrite caps each). */
  readonly maxTableEntries: number;
  /** Wall-clock budget of the execution, worker start and the host's handling of output included. */
  readonly timeoutMs: number;
  /** Byte quota for this run (the lower of this and the Vfs's own quota applies). */
  readonly quotaBytes?: number;
  /** Bytes of stdout and stderr together the host buffers for one run. */
  readonly maxOutputBytes: number;
  /** Descriptors open at once, stdio and pre-opens included (EMFILE beyond). */
  readonly maxOpenFiles: number;
  /** Path components of the deepest node the guest may create (ENAMETOOLONG beyond). */
  readonly maxDepth: number;
  /** UTF-8 bytes of one path component (ENAMETOOLONG beyond). */
  readonly maxNameBytes: number;
  /**
   * Time limit of one native module process (docs/sandbox.md#native-modules); by default the
   * execution's budget less half a second, so the module's own limit is reported first.
   */
  readonly nativeTimeoutMs?: number;
}

export const DEFAULT_LIMITS: RunLimits = {
  maxMemoryMib: 256,
  maxTableEntries: 1 << 20,
  timeoutMs: 60_000,
  maxOutputBytes: 64 * 2 ** 20,
  maxOpenFiles: 1024,
  maxDepth: DEFAULT_MAX_DEPTH,
  maxNameBytes: DEFAULT_MAX_NAME_BYTES,
};

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
  /**
   * Standard input streamed to the guest as it reads (`vc run`: the host's stdin), instead of the
   * pseudo file; read only when the guest asks (core modules and components alike).
   */
  readonly stdinStream?: AsyncIterable<Uint8Array>;
  readonly onStdout?: (bytes: Uint8Array) => void;
  readonly onStderr?: (bytes: Uint8Array) => void;
  /** Receives one line per WASI call (`vc run --strace`). */
  readonly trace?: (line: string) => void;
  /** The policy's native modules (docs/policy.md#native-modules). */
  readonly nativeModules?: Policy['nativeModules'];
}

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
}
