// Signed DER structures, SEQUENCE { toBeSigned, signatureAlgorithm, BIT STRING signature } (an
// X.509 certificate or a PKCS#10 CSR), with ECDSA P-256 SHA-256 only: written by signing the
// to-be-signed bytes once with node:crypto, and read by checking the algorithm and the signature
// over the exact to-be-signed bytes. No ASN.1 library is involved (the @peculiar/x509 generators
// cannot encode our 128-bit private OID arc and cost two signatures per structure).
import { createPublicKey, KeyObject, sign, verify, type webcrypto } from 'node:crypto';
import { equalBytes } from '../bytes.js';
import { DerError, derBits, derOid, derSequence, readTlv, TAG } from './der.js';

/** AlgorithmIdentifier ecdsa-with-SHA256 (RFC 5758: no parameters). */
export const ECDSA_WITH_SHA256 = derSequence(derOid('1.2.840.10045.4.3.2'));

const keyObjects = new WeakMap<webcrypto.CryptoKey, KeyObject>();

function keyObjectOf(key: webcrypto.CryptoKey): KeyObject {
  let object = keyObjects.get(key);
  if (!object) keyObjects.set(key, (object = KeyObject.from(key)));
  return object;
}

/** Signs `tbs` (a whole DER TLV) with the P-256 `key` and wraps it into the signed structure. */
export function signDer(tbs: Uint8Array, key: webcrypto.CryptoKey): Uint8Array {
  const signature = sign('sha256', tbs, { key: keyObjectOf(key), dsaEncoding: 'der' });
  return derSequence(tbs, ECDSA_WITH_SHA256, derBits(new Uint8Array(signature)));
}

export interface SignedDer {
  /** The to-be-signed TLV, exactly as signed. */
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
}

/** Splits a signed structure; throws DerError unless it is exactly one, signed with ECDSA SHA-256. */
export function readSignedDer(der: Uint8Array): SignedDer {
  const outer = readTlv(der, 0);
  if (outer.tag !== TAG.SEQUENCE || outer.next !== der.length)
    throw new DerError('not one signed structure');
  const tbs = readTlv(outer.value, 0);
  if (tbs.tag !== TAG.SEQUENCE) throw new DerError('to-be-signed part is not a SEQUENCE');
  const alg = readTlv(outer.value, tbs.next);
  if (!equalBytes(outer.value.subarray(tbs.next, alg.next), ECDSA_WITH_SHA256))
    throw new DerError('not signed with ECDSA SHA-256');
  const bits = readTlv(outer.value, alg.next);
  if (bits.tag !== TAG.BIT_STRING || bits.next !== outer.value.length || bits.value[0] !== 0)
    throw new DerError('bad signature BIT STRING');
  return { tbs: outer.value.subarray(0, tbs.next), signature: bits.value.subarray(1) };
}

/**
 * The P-256 key of a DER SubjectPublicKeyInfo; throws DerError if it is not one. (`createPublicKey`
 * checks that the point is on the curve.)
 */
export function p256PublicKey(spki: Uint8Array): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (error) {
    throw new DerError(`public key does not parse: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new DerError('key is not ECDSA P-256');
  return key;
}

/** True if `signed`'s signature verifies under `key`. */
export function verifySignedDer(signed: SignedDer, key: KeyObject): boolean {
  return verify('sha256', signed.tbs, { key, dsaEncoding: 'der' }, signed.signature);
}
