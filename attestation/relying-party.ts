// The one check every participant runs on an enclave before sending it anything (phase 6, docs/architecture.md):
// the chain leads to the policy's proxy_service_cert, the certificate is valid now and not beyond
// the policy's expiry, its measurement is among the policy's runtime hashes for its platform, and its
// policy hash is ours. Each failure has its own code.
import { webcrypto, type KeyObject } from 'node:crypto';
import {
  isRuntimeAccepted,
  parseCertificateDer,
  sha256Hex,
  type Policy,
  x509,
} from '../protocol/index.js';
import { equalBytes, pemBlocks } from './bytes.js';
import { enclaveInfoOf, type EnclaveAttestationInfo } from './ca/enclave-extension.js';
import { DerError } from './ca/der.js';
import { p256PublicKey, readSignedDer, verifySignedDer } from './ca/signed-der.js';
import { fail } from './errors.js';
import type { PlatformName } from './platforms/types.js';

/** A loaded policy (protocol/policy's LoadedPolicy fits). */
export interface RelyingPartyPolicy {
  readonly policy: Policy;
  /** Lowercase hex SHA-256 of the policy file. */
  readonly hash: string;
}

export interface AttestedEnclave extends EnclaveAttestationInfo {
  readonly certificate: x509.X509Certificate;
  /** The enclave's ECDSA P-256 key: verifies its signed messages. */
  readonly signingKey: webcrypto.CryptoKey;
}

function parse(entry: string | Uint8Array, what: string): x509.X509Certificate {
  try {
    return parseCertificateDer(
      typeof entry === 'string' ? (pemBlocks(entry, 'CERTIFICATE')[0] ?? new Uint8Array()) : entry,
    );
  } catch {
    return fail('ERR_ATTESTATION_CHAIN', `${what} is not a certificate`);
  }
}

/**
 * Enclave certificates whose signature by a CA has verified, as `<leaf DER sha256>:<CA DER sha256>`
 * (bounded, oldest dropped first). The launcher and every participant of a computation check the
 * same certificate against the same CA; a signature over fixed bytes verifies once. Only the
 * signature is remembered: everything that depends on the time or the policy is checked each call.
 */
const verifiedSignatures = new Set<string>();
const MAX_VERIFIED_SIGNATURES = 1024;

/** The CA's P-256 key, once per (shared, parsed once) certificate. */
const caKeys = new WeakMap<x509.X509Certificate, KeyObject>();

/** Verifies the leaf's ECDSA SHA-256 signature with node:crypto over its exact TBS bytes. */
function signatureVerifies(leaf: x509.X509Certificate, ca: x509.X509Certificate): boolean {
  try {
    let key = caKeys.get(ca);
    if (!key) caKeys.set(ca, (key = p256PublicKey(new Uint8Array(ca.publicKey.rawData))));
    return verifySignedDer(readSignedDer(new Uint8Array(leaf.rawData)), key);
  } catch (error) {
    if (error instanceof DerError) return false;
    throw error;
  }
}

function signedBy(leaf: x509.X509Certificate, ca: x509.X509Certificate): boolean {
  const pair = `${sha256Hex(new Uint8Array(leaf.rawData))}:${sha256Hex(new Uint8Array(ca.rawData))}`;
  if (verifiedSignatures.has(pair)) return true;
  if (!signatureVerifies(leaf, ca)) return false;
  if (verifiedSignatures.size >= MAX_VERIFIED_SIGNATURES)
    verifiedSignatures.delete(verifiedSignatures.values().next().value as string);
  verifiedSignatures.add(pair);
  return true;
}

async function checkChain(
  leaf: x509.X509Certificate,
  ca: x509.X509Certificate,
  presented: x509.X509Certificate | undefined,
  now: Date,
): Promise<void> {
  if (presented && !equalBytes(new Uint8Array(presented.rawData), new Uint8Array(ca.rawData))) {
    fail(
      'ERR_ATTESTATION_CHAIN',
      "the chain names a CA other than the policy's proxy_service_cert",
    );
  }
  if (leaf.issuer !== ca.subject || !signedBy(leaf, ca)) {
    fail('ERR_ATTESTATION_CHAIN', 'the enclave certificate is not signed by proxy_service_cert');
  }
  if (now < ca.notBefore || now > ca.notAfter)
    fail('ERR_ATTESTATION_CHAIN', 'proxy_service_cert is not valid now');
}

function checkProfile(leaf: x509.X509Certificate): void {
  if (leaf.getExtension(x509.BasicConstraintsExtension)?.ca !== false)
    fail('ERR_ENCLAVE_CERT_INVALID', 'enclave certificate must have cA=false');
  const usage = leaf.getExtension(x509.KeyUsagesExtension)?.usages;
  if (usage !== x509.KeyUsageFlags.digitalSignature)
    fail('ERR_ENCLAVE_CERT_INVALID', 'enclave certificate key usage must be digitalSignature only');
}

export async function checkEnclaveCertificate(params: {
  /** Leaf first; PEM strings or DER. A second entry, if any, must be proxy_service_cert itself. */
  readonly chain: readonly (string | Uint8Array)[];
  readonly policy: RelyingPartyPolicy;
  readonly now: Date;
  /** When given, the certificate must be for this platform. */
  readonly platform?: PlatformName;
}): Promise<AttestedEnclave> {
  const [first, second] = params.chain;
  if (first === undefined) fail('ERR_ATTESTATION_CHAIN', 'empty certificate chain');
  const leaf = parse(first, 'enclave certificate');
  const ca = parse(params.policy.policy.proxyServiceCert, 'proxy_service_cert');
  await checkChain(
    leaf,
    ca,
    second === undefined ? undefined : parse(second, 'chain entry'),
    params.now,
  );
  checkProfile(leaf);
  if (params.now < leaf.notBefore || params.now > leaf.notAfter) {
    fail('ERR_ENCLAVE_CERT_EXPIRED', 'the enclave certificate is not valid now', {
      notAfter: leaf.notAfter.toISOString(),
    });
  }
  if (leaf.notAfter > params.policy.policy.enclaveCertExpiry) {
    fail(
      'ERR_ENCLAVE_CERT_OUTLIVES_POLICY',
      "the enclave certificate is valid beyond the policy's enclave_cert_expiry",
    );
  }
  const info = enclaveInfoOf(leaf);
  if (params.platform && info.platform !== params.platform)
    fail('ERR_ATTESTATION_PLATFORM', `enclave attested on ${info.platform}`);
  // One rule for everyone: protocol/policy decides which runtime hashes a policy accepts per platform
  // (our runtime_hashes extension, plus Veracruz's linux field for sim and nitro field for nitro).
  if (!isRuntimeAccepted(params.policy.policy, info.platform, info.measurement)) {
    fail(
      'ERR_MEASUREMENT_NOT_ALLOWED',
      `measurement is not among the policy's runtime hashes for ${info.platform}`,
      {
        measurement: info.measurement,
      },
    );
  }
  if (info.policyHash !== params.policy.hash.toLowerCase()) {
    fail('ERR_POLICY_HASH_MISMATCH', 'the enclave runs a different policy', {
      enclave: info.policyHash,
    });
  }
  return { ...info, certificate: leaf, signingKey: await signingKeyOf(leaf) };
}

/** The enclave key of each (shared, parsed once) certificate, imported once. */
const signingKeys = new WeakMap<x509.X509Certificate, Promise<webcrypto.CryptoKey>>();

function signingKeyOf(leaf: x509.X509Certificate): Promise<webcrypto.CryptoKey> {
  let key = signingKeys.get(leaf);
  if (key === undefined) {
    key = leaf.publicKey.export(
      { name: 'ECDSA', namedCurve: 'P-256' },
      ['verify'],
      webcrypto as never,
    ) as unknown as Promise<webcrypto.CryptoKey>;
    key.catch(() => signingKeys.delete(leaf));
    signingKeys.set(leaf, key);
  }
  return key;
}
