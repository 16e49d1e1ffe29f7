// Offline appraisal of one piece of evidence (`vc attest verify`): no verifier state, endorsements
// given directly (a root PEM for Nitro, default the AWS root; for TDX and SGX, default the Intel SGX
// Root CA, with the quote's collateral; a public key PEM for PSA and sim).
import { normalizeHex, pemBlocks } from './bytes.js';
import { endorsedKeysFromPem } from './endorsement-keys.js';
import { pluginFor } from './platforms/registry.js';
import { INTEL_SGX_ROOT_PEM } from './platforms/intel-sgx-root.js';
import { AWS_NITRO_ROOT_PEM } from './platforms/nitro-root.js';
import { encodeDcapEvidence } from './platforms/tdx.js';
import type { AppraisedEvidence, PlatformName } from './platforms/types.js';
import { UsageError } from '../protocol/index.js';

export interface OfflineVerifyOptions {
  readonly platform: PlatformName;
  readonly evidence: Uint8Array;
  /** Nitro, TDX, SGX trust anchors (PEM); default the AWS Nitro root or the Intel SGX Root CA. */
  readonly rootPem?: string;
  /** PSA / sim platform public key(s) (PEM). */
  readonly keyPem?: string;
  readonly at: Date | 'document';
  readonly nonce?: Uint8Array;
  /** Expected measurements (sim: runtime, psa: every software component, nitro: PCR0). */
  readonly measurements?: readonly string[];
  /** Nitro: expected PCR values by index. */
  readonly pcrs?: ReadonlyMap<number, readonly string[]>;
  readonly allowDebug?: boolean;
  /** TDX/SGX: the collateral JSON (the evidence is then the raw quote). */
  readonly collateral?: string;
  /** TDX/SGX: named reference values (rtmr0..3, mrconfigid, mrowner, mrownerconfig; mrsigner). */
  readonly values?: ReadonlyMap<string, readonly string[]>;
  /** TDX/SGX: accepted TCB statuses; default any but Revoked. */
  readonly tcbStatuses?: readonly string[];
}

const DEFAULT_ROOTS: Partial<Record<PlatformName, string>> = {
  nitro: AWS_NITRO_ROOT_PEM,
  tdx: INTEL_SGX_ROOT_PEM,
  sgx: INTEL_SGX_ROOT_PEM,
};

/** Evidence files are raw CBOR, or base64 text of it (as Nitro samples often are). */
export function evidenceBytes(file: Uint8Array): Uint8Array {
  const text = Buffer.from(file).toString('latin1').trim();
  if (text.length > 0 && /^[A-Za-z0-9+/=\s]+$/.test(text))
    return new Uint8Array(Buffer.from(text, 'base64'));
  return file;
}

export async function verifyEvidence(options: OfflineVerifyOptions): Promise<AppraisedEvidence> {
  const defaultRoot = DEFAULT_ROOTS[options.platform];
  const needsKey = defaultRoot === undefined;
  if (needsKey && !options.keyPem)
    throw new UsageError(`--key PEM is required for ${options.platform} evidence`);
  const roots = defaultRoot ? pemBlocks(options.rootPem ?? defaultRoot, 'CERTIFICATE') : [];
  if (defaultRoot && roots.length === 0) throw new UsageError('--root has no CERTIFICATE block');
  const dcap = options.platform === 'tdx' || options.platform === 'sgx';
  if (dcap && options.collateral === undefined)
    throw new UsageError(`--collateral FILE.json is required for ${options.platform} evidence`);
  const evidence = dcap
    ? encodeDcapEvidence(options.evidence, options.collateral ?? '')
    : options.evidence;
  return pluginFor(options.platform).appraise(evidence, {
    at: options.at,
    keys: needsKey ? await endorsedKeysFromPem(options.keyPem ?? '') : [],
    roots,
    ...(options.nonce ? { expectedNonce: options.nonce } : {}),
    ...(options.measurements
      ? { allowedMeasurements: new Set(options.measurements.map(normalizeHex)) }
      : {}),
    ...(options.pcrs
      ? {
          expectedPcrs: new Map(
            [...options.pcrs].map(([i, values]) => [i, new Set(values.map(normalizeHex))]),
          ),
        }
      : {}),
    ...(options.values
      ? {
          expectedValues: new Map(
            [...options.values].map(([name, values]) => [name, new Set(values.map(normalizeHex))]),
          ),
        }
      : {}),
    ...(options.tcbStatuses ? { tcbStatuses: new Set(options.tcbStatuses) } : {}),
    allowDebug: options.allowDebug ?? false,
  });
}
