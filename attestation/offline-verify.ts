// Offline appraisal of one piece of evidence (`vc attest verify`): no verifier state, endorsements
// given directly (a root PEM for Nitro, default the AWS root; a public key PEM or JWK for PSA, CCA
// and sim, used whatever instance id the evidence names; for SEV-SNP the VCEK/VLEK and its ASK/ARK
// chain, the ARK pinned: default AMD's ARKs, or `--root`; for TDX and SGX the quote's collateral,
// default root the Intel SGX Root CA).
import { normalizeHex, pemBlocks } from './bytes.js';
import { endorsedKeysFromPem } from './endorsement-keys.js';
import { pluginFor } from './platforms/registry.js';
import { INTEL_SGX_ROOT_PEM } from './platforms/intel-sgx-root.js';
import { AWS_NITRO_ROOT_PEM } from './platforms/nitro-root.js';
import { AMD_ARK_PEMS } from './platforms/sevsnp-roots.js';
import { encodeDcapEvidence } from './platforms/tdx.js';
import type { AppraisedEvidence, PlatformName } from './platforms/types.js';
import { UsageError } from '../protocol/index.js';

export interface OfflineVerifyOptions {
  readonly platform: PlatformName;
  readonly evidence: Uint8Array;
  /** Trust anchors (PEM): Nitro (default the AWS Nitro root), SEV-SNP ARKs (default AMD's), TDX and SGX (default the Intel SGX Root CA). */
  readonly rootPem?: string;
  /** SEV-SNP: the VCEK or VLEK (DER or PEM). */
  readonly vcek?: Uint8Array;
  /** SEV-SNP: the ASK (or ASVK) and ARK, PEM (AMD KDS `cert_chain`). */
  readonly chainPem?: string;
  /** PSA / CCA / sim platform public key(s) (PEM, or one JWK). */
  readonly keyPem?: string;
  readonly at: Date | 'document';
  readonly nonce?: Uint8Array;
  /** Expected measurements (sim: runtime, psa: every software component, nitro: PCR0, cca: RIM). */
  readonly measurements?: readonly string[];
  /**
   * Named reference values: CCA REMs (`rem0`..`rem3`) and `personalization`; TDX `rtmr0`..`rtmr3`,
   * `mrconfigid`, `mrowner`, `mrownerconfig`; SGX `mrsigner`.
   */
  readonly expectedValues?: ReadonlyMap<string, readonly string[]>;
  /** Nitro: expected PCR values by index. */
  readonly pcrs?: ReadonlyMap<number, readonly string[]>;
  readonly allowDebug?: boolean;
  /** TDX/SGX: the collateral JSON (the evidence is then the raw quote). */
  readonly collateral?: string;
  /** TDX/SGX: accepted TCB statuses; default any but Revoked. */
  readonly tcbStatuses?: readonly string[];
}

/** Evidence files are raw CBOR, or base64 text of it (as Nitro samples often are). */
export function evidenceBytes(file: Uint8Array): Uint8Array {
  const text = Buffer.from(file).toString('latin1').trim();
  if (text.length > 0 && /^[A-Za-z0-9+/=\s]+$/.test(text))
    return new Uint8Array(Buffer.from(text, 'base64'));
  return file;
}

const DEFAULT_ROOTS: Partial<Record<PlatformName, string>> = {
  nitro: AWS_NITRO_ROOT_PEM,
  sevsnp: AMD_ARK_PEMS.join(''),
  tdx: INTEL_SGX_ROOT_PEM,
  sgx: INTEL_SGX_ROOT_PEM,
};

/** A certificate file: PEM blocks, or one DER certificate. */
function certificatesOf(file: Uint8Array): Uint8Array[] {
  const blocks = pemBlocks(Buffer.from(file).toString('latin1'), 'CERTIFICATE');
  return blocks.length > 0 ? blocks : [file];
}

function snpCertificates(options: OfflineVerifyOptions): Uint8Array[] {
  if (options.platform !== 'sevsnp') return [];
  if (options.at === 'document')
    throw new UsageError('an SEV-SNP report has no timestamp: give --at ISO8601 or leave it out');
  const vcek = options.vcek ? certificatesOf(options.vcek) : [];
  const chain = options.chainPem ? pemBlocks(options.chainPem, 'CERTIFICATE') : [];
  if (options.chainPem !== undefined && chain.length === 0)
    throw new UsageError('--chain has no CERTIFICATE block');
  return [...vcek, ...chain];
}

export async function verifyEvidence(options: OfflineVerifyOptions): Promise<AppraisedEvidence> {
  const defaultRoot = DEFAULT_ROOTS[options.platform];
  const needsKey = defaultRoot === undefined;
  if (needsKey && !options.keyPem)
    throw new UsageError(`--key PEM is required for ${options.platform} evidence`);
  const roots = defaultRoot ? pemBlocks(options.rootPem ?? defaultRoot, 'CERTIFICATE') : [];
  if (defaultRoot && roots.length === 0) throw new UsageError('--root has no CERTIFICATE block');
  const certificates = snpCertificates(options);
  const dcap = options.platform === 'tdx' || options.platform === 'sgx';
  if (dcap && options.collateral === undefined)
    throw new UsageError(`--collateral FILE.json is required for ${options.platform} evidence`);
  const evidence = dcap
    ? encodeDcapEvidence(options.evidence, options.collateral ?? '')
    : options.evidence;
  return pluginFor(options.platform).appraise(evidence, {
    at: options.at,
    keys: needsKey ? await endorsedKeysFromPem(options.keyPem ?? '') : [],
    anyInstance: true,
    roots,
    ...(certificates.length > 0 ? { certificates } : {}),
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
    ...(options.expectedValues
      ? {
          expectedValues: new Map(
            [...options.expectedValues].map(([name, values]) => [
              name,
              new Set(values.map(normalizeHex)),
            ]),
          ),
        }
      : {}),
    ...(options.tcbStatuses ? { tcbStatuses: new Set(options.tcbStatuses) } : {}),
    allowDebug: options.allowDebug ?? false,
  });
}
