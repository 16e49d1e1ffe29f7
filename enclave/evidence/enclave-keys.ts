// Keys generated inside the enclave (phase 3, docs/architecture.md): an ECDSA P-256 signing key whose certificate
// the verifier issues, and a P-256 ECDH key for HPKE (DHKEM(P-256, HKDF-SHA256)); its raw
// uncompressed public point travels in the certificate extension. Private keys are non-extractable.
import { webcrypto } from 'node:crypto';
import { buildHpkeCsr } from '../../attestation/index.js';

export interface EnclaveKeys {
  readonly signing: webcrypto.CryptoKeyPair;
  readonly hpke: webcrypto.CryptoKeyPair;
  /** Uncompressed P-256 point (65 bytes). */
  readonly hpkePublicKey: Uint8Array;
}

export async function generateEnclaveKeys(): Promise<EnclaveKeys> {
  const signing = (await webcrypto.subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign', 'verify'],
  )) as webcrypto.CryptoKeyPair;
  const hpke = (await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ])) as webcrypto.CryptoKeyPair;
  const hpkePublicKey = new Uint8Array(await webcrypto.subtle.exportKey('raw', hpke.publicKey));
  return { signing, hpke, hpkePublicKey };
}

/** A DER PKCS#10 request for the signing key, self-signed with it, carrying the HPKE public key. */
export function buildEnclaveCsr(keys: EnclaveKeys): Promise<Uint8Array> {
  return Promise.resolve(buildHpkeCsr(keys.signing, keys.hpkePublicKey));
}
