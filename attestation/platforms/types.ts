// What every platform plugin returns after appraising evidence, and what it needs to do so.
import type { webcrypto } from 'node:crypto';

export type PlatformName = 'sim' | 'psa' | 'nitro' | 'cca' | 'sevsnp' | 'tdx' | 'sgx';
const PLATFORMS: readonly PlatformName[] = ['sim', 'psa', 'nitro', 'cca', 'sevsnp', 'tdx', 'sgx'];

export function isPlatformName(value: string): value is PlatformName {
  return (PLATFORMS as readonly string[]).includes(value);
}

/** A platform attestation public key, bound to the instance id it signs for (sim, PSA, CCA). */
export interface EndorsedKey {
  /**
   * Lowercase hex instance id the key is endorsed for: by default 0x01 || SHA-256(uncompressed EC
   * point), PSA's example rule; any id given at endorsement (RFC 9783: an identifier of the key).
   */
  readonly instanceId: string;
  readonly key: webcrypto.CryptoKey;
}

export interface AppraisalOptions {
  /** Verification time: certificates (Nitro) must be valid then; 'document' = the evidence's own timestamp. */
  readonly at: Date | 'document';
  /** Platform keys (sim, psa, cca). */
  readonly keys?: readonly EndorsedKey[];
  /** Use the keys given whatever instance id the evidence names (offline, a key given). */
  readonly anyInstance?: boolean;
  /** Pinned roots as DER (nitro; sevsnp: AMD ARKs; tdx and sgx: the Intel SGX Root CA). */
  readonly roots?: readonly Uint8Array[];
  /** sevsnp: certificates given beside the report (VCEK or VLEK, ASK or ASVK), DER. */
  readonly certificates?: readonly Uint8Array[];
  /** Expected nonce claim; unchecked when absent (offline inspection only). */
  readonly expectedNonce?: Uint8Array;
  /** Allowed measurements, lowercase hex; unchecked when absent (offline inspection only). */
  readonly allowedMeasurements?: ReadonlySet<string>;
  /** Nitro: expected PCR values by index, lowercase hex; each listed PCR must match one. */
  readonly expectedPcrs?: ReadonlyMap<number, ReadonlySet<string>>;
  /**
   * Named reference values, lowercase hex: CCA REMs (`rem0`..`rem3`) and `personalization`; TDX
   * `rtmr0`..`rtmr3`, `mrconfigid`, `mrowner`, `mrownerconfig`; SGX `mrsigner`.
   */
  readonly expectedValues?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Accept debug evidence (Nitro all-zero PCRs, PSA and CCA debug lifecycles, SEV-SNP policy DEBUG bit). */
  readonly allowDebug?: boolean;
  /** TDX/SGX: accepted TCB statuses; absent: any but Revoked (reported in the claims). */
  readonly tcbStatuses?: ReadonlySet<string>;
}

export interface AppraisedEvidence {
  readonly platform: PlatformName;
  /** The runtime measurement the enclave certificate will carry (lowercase hex). */
  readonly measurement: string;
  readonly nonce: Uint8Array | undefined;
  readonly instanceId: string | undefined;
  /** Evidence-specific binding data: sim claims, or Nitro user_data split in two. */
  readonly csrHash: Uint8Array | undefined;
  readonly policyHash: Uint8Array | undefined;
  readonly debug: boolean;
  /** True for simulated evidence: never a hardware guarantee. */
  readonly insecure: boolean;
  /** The evidence's own timestamp when it has one (Nitro). */
  readonly timestamp: Date | undefined;
  /** Printable claims (bytes as hex). */
  readonly claims: Record<string, unknown>;
}

export interface PlatformPlugin {
  readonly name: PlatformName;
  appraise(evidence: Uint8Array, options: AppraisalOptions): Promise<AppraisedEvidence>;
}
