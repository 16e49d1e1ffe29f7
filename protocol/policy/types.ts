// The Veracruz policy, as parsed and validated (protocol/policy owns parsing; these are the shapes
// every other area imports). Field names follow Veracruz's JSON; comments say what each means here.

/** A rights grant: a path prefix (`/input/`) or a pseudo file (`stdin`, `stdout`, `stderr`). */
export interface FileRight {
  readonly path: string;
  /** WASI rights bit set (see wasi-rights.ts). */
  readonly rights: number;
}

/** Rights keyed by path prefix; the longest matching prefix decides (Veracruz semantics). */
export type RightsTable = readonly FileRight[];

export type Principal =
  | { readonly kind: 'participant'; readonly id: number }
  | { readonly kind: 'program'; readonly path: string }
  | { readonly kind: 'pipeline'; readonly name: string };

export interface PolicyIdentity {
  readonly id: number;
  /** PEM text exactly as in the policy. */
  readonly certificate: string;
  readonly fileRights: RightsTable;
}

export interface PolicyProgram {
  readonly id: number;
  readonly programFileName: string;
  readonly fileRights: RightsTable;
}

export interface PolicyPipeline {
  readonly id: number;
  readonly name: string;
  /** Pipeline source text in Veracruz's small language. */
  readonly pipeline: string;
  readonly fileRights: RightsTable;
}

export interface PolicyFileHash {
  readonly filePath: string;
  /** Lowercase hex SHA-256. */
  readonly hash: string;
}

/**
 * Veracruz's three kinds of native module (policy-utils `NativeModuleType`, docs/policy.md#native-modules):
 * a static module is built into the runtime and served through its special file; a dynamic one is a
 * binary on the host, run in the native sandbox when a program writes its special file; a
 * provisioned one is a binary provisioned like a program (at `entryPoint` in the file system) and
 * run in the native sandbox as a program or pipeline step.
 */
export type NativeModuleType =
  | { readonly kind: 'static'; readonly specialFile: string }
  | { readonly kind: 'dynamic'; readonly specialFile: string; readonly entryPoint: string }
  | { readonly kind: 'provisioned'; readonly entryPoint: string };

export interface PolicyNativeModule {
  readonly name: string;
  readonly type: NativeModuleType;
}

export type Platform = 'linux' | 'nitro' | 'sevsnp';

export interface Policy {
  readonly identities: readonly PolicyIdentity[];
  readonly programs: readonly PolicyProgram[];
  readonly pipelines: readonly PolicyPipeline[];
  readonly fileHashes: readonly PolicyFileHash[];
  readonly nativeModules: readonly PolicyNativeModule[];
  /** UTC instant after which no enclave certificate for this policy may be valid. */
  readonly enclaveCertExpiry: Date;
  readonly ciphersuite: string;
  /** Lowercase hex SHA-256 per platform; null when the policy allows no runtime on it. */
  readonly runtimeManagerHashes: Readonly<Record<Platform, string | null>>;
  readonly proxyServiceCert: string;
  readonly proxyAttestationServerUrl: string;
  readonly veracruzServerUrl: string;
  readonly debug: boolean;
  readonly executionStrategy: 'Interpretation' | 'JIT';
  readonly enableClock: boolean;
  readonly maxMemoryMib: number;
  /** Our optional extensions, ignored by Veracruz (documented in docs/policy.md). */
  readonly extensions: PolicyExtensions;
}

export interface PolicyExtensions {
  /** Allowed measurements of our own enclave runtime per attestation platform (sim, psa, nitro, cca, sevsnp, ...). */
  readonly runtimeHashes?: Readonly<Record<string, readonly string[]>>;
  /** Who may shut the computation down: Veracruz's default is any participant. */
  readonly shutdown?:
    { readonly rule: 'any' } | { readonly rule: 'consensus'; readonly of: readonly number[] };
  readonly executionTimeoutMs?: number;
  readonly deterministic?: boolean;
  /** Virtual file system byte quota. */
  readonly storageQuotaBytes?: number;
}

/** A policy together with the exact bytes it was parsed from and their SHA-256 (Veracruz semantics). */
export interface LoadedPolicy {
  readonly policy: Policy;
  readonly bytes: Uint8Array;
  /** Lowercase hex SHA-256 of `bytes`. */
  readonly hash: string;
  /** Findings that do not refuse the policy (unknown fields, debug mode, unhashed programs...). */
  readonly warnings?: readonly string[];
}

/**
 * A parsed pipeline (Veracruz's small language), e.g.
 * `/program/a.wasm ; if /output/x { /program/b.wasm } else { /program/c.wasm }`.
 * `if PATH` tests whether the file exists in the virtual file system.
 */
export type PipelineExpr =
  | { readonly kind: 'program'; readonly path: string }
  | { readonly kind: 'seq'; readonly steps: readonly PipelineExpr[] }
  | {
      readonly kind: 'if';
      readonly condition: string;
      readonly then: PipelineExpr;
      readonly else?: PipelineExpr;
    };
