// AWS Nitro Enclaves attestation documents: COSE_Sign1 ES384 (tagged or untagged) whose payload
// carries the signing certificate and its CA bundle. The chain runs cabundle[0] (must equal a pinned
// root) .. cabundle[n] .. certificate, each valid at the verification time (default: the document's
// own timestamp, since leaf certificates live about three hours). The measurement is PCR0 (the
// enclave image); all-zero PCR0..2 mark a debug enclave.
import type { webcrypto } from 'node:crypto';
import { asBytes, asInteger, asMap, asText, decodeCbor, optionalBytes } from '../cbor.js';
import { equalBytes, toHex } from '../bytes.js';
import { parseCoseSign1, verifyCoseSign1 } from '../cose.js';
import { fail } from '../errors.js';
import type { x509 } from '../../protocol/index.js';
import { parseCert, verifyChain } from './cert-chain.js';
import type { AppraisalOptions, AppraisedEvidence, PlatformPlugin } from './types.js';

interface NitroDocument {
  moduleId: string;
  digest: string;
  timestamp: Date;
  pcrs: Map<number, Uint8Array>;
  certificate: Uint8Array;
  cabundle: Uint8Array[];
  publicKey: Uint8Array | undefined;
  userData: Uint8Array | undefined;
  nonce: Uint8Array | undefined;
}

function parseDocument(payload: Uint8Array): NitroDocument {
  const map = asMap(decodeCbor(payload), 'Nitro document');
  const digest = asText(map.get('digest'), 'digest');
  if (digest !== 'SHA384') fail('ERR_EVIDENCE_MALFORMED', `Nitro digest ${digest} is not SHA384`);
  const pcrs = new Map<number, Uint8Array>();
  for (const [index, value] of asMap(map.get('pcrs'), 'pcrs')) {
    const i = asInteger(index, 'PCR index');
    const bytes = asBytes(value, `PCR${i}`);
    if (i > 31 || ![32, 48, 64].includes(bytes.length))
      fail('ERR_EVIDENCE_MALFORMED', `PCR${i} is malformed`);
    pcrs.set(i, bytes);
  }
  const cabundle = map.get('cabundle');
  if (!Array.isArray(cabundle) || cabundle.length === 0)
    fail('ERR_EVIDENCE_MALFORMED', 'cabundle is empty');
  // An integer beyond JavaScript's date range makes an Invalid Date, which would throw when printed.
  const timestamp = new Date(asInteger(map.get('timestamp'), 'timestamp'));
  if (Number.isNaN(timestamp.getTime()))
    fail('ERR_EVIDENCE_MALFORMED', 'Nitro timestamp is outside the range of dates');
  return {
    moduleId: asText(map.get('module_id'), 'module_id'),
    digest,
    timestamp,
    pcrs,
    certificate: asBytes(map.get('certificate'), 'certificate'),
    cabundle: cabundle.map((c: unknown) => asBytes(c, 'cabundle entry')),
    publicKey: optionalBytes(map.get('public_key'), 'public_key'),
    userData: optionalBytes(map.get('user_data'), 'user_data'),
    nonce: optionalBytes(map.get('nonce'), 'nonce'),
  };
}

/** Verifies cabundle[0]..cabundle[n]..leaf at `at`; returns the leaf. */
async function verifyDocumentChain(
  doc: NitroDocument,
  roots: readonly Uint8Array[],
  at: Date,
): Promise<x509.X509Certificate> {
  const first = doc.cabundle[0] ?? new Uint8Array();
  if (!roots.some((root) => equalBytes(root, first)))
    fail('ERR_EVIDENCE_CHAIN', 'cabundle[0] is not the pinned root');
  return verifyChain([...doc.cabundle, doc.certificate].map(parseCert), at);
}

/** The leaf's key as an ES384 verification key; anything else cannot have signed the document. */
async function leafKey(leaf: x509.X509Certificate): Promise<webcrypto.CryptoKey> {
  try {
    const key = await leaf.publicKey.export({ name: 'ECDSA', namedCurve: 'P-384' }, ['verify']);
    return key as unknown as webcrypto.CryptoKey;
  } catch {
    return fail('ERR_EVIDENCE_CHAIN', 'the signing certificate does not hold an EC P-384 key');
  }
}

function checkPcrs(doc: NitroDocument, options: AppraisalOptions, measurement: string): void {
  if (options.allowedMeasurements && !options.allowedMeasurements.has(measurement)) {
    fail('ERR_MEASUREMENT_NOT_ALLOWED', 'PCR0 is not among the reference values', {
      pcr0: measurement,
    });
  }
  for (const [index, allowed] of options.expectedPcrs ?? []) {
    const value = doc.pcrs.get(index);
    if (!value || !allowed.has(toHex(value))) {
      fail('ERR_MEASUREMENT_NOT_ALLOWED', `PCR${index} is not among the reference values`, {
        index,
        value: value ? toHex(value) : null,
      });
    }
  }
}

export async function appraiseNitro(
  evidence: Uint8Array,
  options: AppraisalOptions,
): Promise<AppraisedEvidence> {
  const sign1 = parseCoseSign1(evidence, ['ES384']);
  // The signing key is in the payload: decode it, verify the chain to the pinned root, verify the
  // signature with the leaf, and only then trust any claim.
  const doc = parseDocument(sign1.payload);
  const at = options.at === 'document' ? doc.timestamp : options.at;
  const leaf = await verifyDocumentChain(doc, options.roots ?? [], at);
  await verifyCoseSign1(sign1, await leafKey(leaf));

  if (options.expectedNonce && !(doc.nonce && equalBytes(doc.nonce, options.expectedNonce))) {
    fail('ERR_ATTESTATION_NONCE_MISMATCH', 'Nitro nonce is not the expected nonce');
  }
  const pcr0 = doc.pcrs.get(0);
  if (!pcr0) fail('ERR_EVIDENCE_MALFORMED', 'Nitro document has no PCR0');
  const measurement = toHex(pcr0);
  const debug = [0, 1, 2].every((i) => doc.pcrs.get(i)?.every((b) => b === 0) ?? false);
  if (debug && !options.allowDebug)
    fail('ERR_ATTESTATION_DEBUG', 'Nitro document is from a debug enclave (PCR0..2 all zero)');
  checkPcrs(doc, options, measurement);
  const binding = doc.userData?.length === 64 ? doc.userData : undefined;
  return {
    platform: 'nitro',
    measurement,
    nonce: doc.nonce,
    instanceId: doc.moduleId,
    csrHash: binding?.slice(0, 32),
    policyHash: binding?.slice(32),
    debug,
    insecure: false,
    timestamp: doc.timestamp,
    claims: {
      moduleId: doc.moduleId,
      digest: doc.digest,
      timestamp: doc.timestamp.toISOString(),
      pcrs: Object.fromEntries([...doc.pcrs].map(([i, v]) => [String(i), toHex(v)])),
      certificateSubject: leaf.subject,
      certificateNotAfter: leaf.notAfter.toISOString(),
      publicKey: doc.publicKey ? toHex(doc.publicKey) : null,
      userData: doc.userData ? toHex(doc.userData) : null,
      nonce: doc.nonce ? toHex(doc.nonce) : null,
      debug,
      verifiedAt: at.toISOString(),
    },
  };
}

export const nitroPlugin: PlatformPlugin = { name: 'nitro', appraise: appraiseNitro };
