// What a scenario is: a use case written as data. It names its parties and their rights, the
// programs (SDK examples) and pipelines with the rights they run with, the inputs each party brings
// (from the examples' seeded generators), the rounds in which the parties act, and how to check the
// results against the examples' reference implementations. The runners (scenarios/run/) turn one
// plan into a real computation: embedded, over NATS, or with every actor in its own process.
import type { Step } from '../machines/index.js';

export interface PartySpec {
  /** Short name used in output and file names (kebab-case). */
  readonly name: string;
  /** What this party is, for people ("program provider and result reader"). */
  readonly role: string;
  /** Capability entries `PATH:RIGHTS`, e.g. `/program/:w`, `/output/:r`. */
  readonly capabilities: readonly string[];
}

export interface ProgramSpec {
  /** Path inside the enclave, e.g. `/program/shamir-secret-sharing.wasm`. */
  readonly path: string;
  readonly wasm: Uint8Array;
  /** The program principal's rights while it runs. */
  readonly capabilities: readonly string[];
}

interface PipelineSpec {
  readonly pipeline: string;
  readonly capabilities: readonly string[];
}

/** One party's turn in a round: its steps in order, run after the previous round finished. */
export interface Turn {
  readonly party: string;
  readonly steps: readonly Step[];
}

/** A result read by a party: destination label -> bytes. */
export type PartyResults = ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>;

export interface Verdict {
  readonly ok: boolean;
  /** The result in words, for the summary ("bidder-3 wins and pays $412.00"). */
  readonly headline: string;
  /** Details: expected vs actual on a mismatch, or a few lines of the result. */
  readonly details: readonly string[];
}

/**
 * The computation's budget, written into the policy: the guest's memory (max_memory_mib), one
 * execution's wall time and the virtual file system's bytes (`veracruz_ts` extensions).
 */
interface PlanLimits {
  readonly maxMemoryMib?: number;
  readonly executionTimeoutMs?: number;
  readonly storageQuotaBytes?: number;
}

/** One figure a scenario reports about its own run (frames per second, latency, bytes). */
export interface Measurement {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

/** What the runner measured, for a scenario's `measure`. */
export interface RunFacts {
  /** Wall time of each round, in order. */
  readonly roundMs: readonly number[];
  /** Bytes the computation put on the bus: its signed messages and its sealed bulk chunks. */
  readonly busBytes: number;
}

export interface ScenarioPlan {
  readonly parties: readonly PartySpec[];
  readonly limits?: PlanLimits;
  readonly programs: readonly ProgramSpec[];
  readonly pipelines?: readonly PipelineSpec[];
  /** Rounds, one after another; the turns of a round run concurrently. */
  readonly rounds: readonly (readonly Turn[])[];
  /** Party -> source label -> bytes (steps name their sources by label). */
  readonly sources: ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>;
  /** Checks what the parties read against the reference implementation. */
  check(results: PartyResults): Verdict;
  /**
   * What a result means, as a JSON value for the report (`vc scenario run --json`), or undefined
   * when the scenario does not know the format of that result (the report then gives its size
   * and SHA-256 digest only).
   */
  decode?(party: string, label: string, bytes: Uint8Array): unknown;
  /** The scenario's own figures of a completed run (reported, and in `--json`). */
  measure?(facts: RunFacts): readonly Measurement[];
}

export interface Scenario {
  readonly name: string;
  readonly title: string;
  /** Two or three sentences: who takes part and what they learn (and do not learn). */
  readonly summary: string;
  /**
   * The scenario file it was loaded from (docs/writing-a-scenario.md); undefined for the catalog's
   * use cases. A deployment's processes load it again from there.
   */
  readonly source?: string;
  plan(seed: number): ScenarioPlan;
}
