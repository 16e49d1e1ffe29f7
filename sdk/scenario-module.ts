// What a scenario written outside the repository may add in TypeScript to its declarative file
// (docs/writing-a-scenario.md, docs/scenario.schema.json): sources computed from the seed, a check
// of the results beyond the file's `expect` entries, and decoders of results for the report. The
// module's default export has this shape; `vc scenario run FILE` loads it with the file.

/** Party -> label -> bytes. */
export type PartyBytes = ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>;

export interface ScenarioContext {
  /** The data generators' seed of this run (`--seed`). */
  readonly seed: number;
  /** Every party's sources: the file's and the module's (when the module gave them). */
  readonly sources: PartyBytes;
}

export interface ModuleVerdict {
  readonly ok: boolean;
  /** The result in words, for the summary. */
  readonly headline: string;
  readonly details?: readonly string[];
}

export interface ScenarioModule {
  /**
   * Sources computed for this run, by party and label (a label the file gives too is replaced).
   * It must give the same bytes for the same seed: a `--processes` run calls it in several processes.
   */
  sources?(context: { readonly seed: number }): Record<string, Record<string, Uint8Array>>;
  /** Checks what the parties read (party -> destination label -> bytes), after the file's `expect`. */
  check?(results: PartyBytes, context: ScenarioContext): ModuleVerdict;
  /** What a result means, as a JSON value for `vc scenario run --json`; undefined when unknown. */
  decode?(party: string, label: string, bytes: Uint8Array): unknown;
}
