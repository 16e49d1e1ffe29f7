// Identity signatures on envelopes. The algorithm comes from the verification key (the sender's
// certificate), never from the message, and only an allow-list is accepted (jose's lesson):
// ECDSA P-256 with SHA-256 (signature as IEEE P1363 r||s, 64 bytes) and Ed25519 (64 bytes).
import { KeyObject, sign as nodeSign, verify as nodeVerify, webcrypto } from 'node:crypto';
import { TransportError } from './errors.js';

export type CryptoKey = webcrypto.CryptoKey;
export type SignatureAlgorithm = 'ES256' | 'Ed25519';

const subtle = webcrypto.subtle;
const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** The allow-listed algorithm of `key`, or ERR_KEY_UNSUPPORTED. */
function signatureAlgorithmOf(key: CryptoKey): SignatureAlgorithm {
  const alg = key.algorithm as { name: string; namedCurve?: string };
  if (alg.name === 'ECDSA' && alg.namedCurve === 'P-256') return 'ES256';
  if (alg.name === 'Ed25519') return 'Ed25519';
  throw new TransportError('ERR_KEY_UNSUPPORTED', 'key algorithm is not allowed for signatures', {
    details: { algorithm: alg.name, curve: alg.namedCurve },
  });
}

export async function generateSigningKeyPair(
  alg: SignatureAlgorithm = 'ES256',
): Promise<webcrypto.CryptoKeyPair> {
  return alg === 'ES256'
    ? ((await subtle.generateKey(ecdsa, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair)
    : ((await subtle.generateKey({ name: 'Ed25519' }, true, [
        'sign',
        'verify',
      ])) as webcrypto.CryptoKeyPair);
}

// Signing and verification run through node:crypto's synchronous one-shot API on the KeyObject
// behind each CryptoKey: for 64-byte signatures this avoids two thread-pool hops per operation,
// which dominate small-message latency (bench/transport.bench.ts).
const keyObjects = new WeakMap<CryptoKey, KeyObject>();
function keyObject(key: CryptoKey): KeyObject {
  let object = keyObjects.get(key);
  if (!object) {
    object = KeyObject.from(key);
    keyObjects.set(key, object);
  }
  return object;
}

export async function signBytes(key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  const alg = signatureAlgorithmOf(key);
  if (key.type !== 'private' || !key.usages.includes('sign')) {
    throw new TransportError('ERR_KEY_UNSUPPORTED', 'not a signing key');
  }
  const object = keyObject(key);
  return new Uint8Array(
    alg === 'ES256'
      ? nodeSign('sha256', data, { key: object, dsaEncoding: 'ieee-p1363' })
      : nodeSign(null, data, object),
  );
}

/** True only for a valid signature of an allow-listed algorithm; throws for a disallowed key. */
export async function verifyBytes(
  key: CryptoKey,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  const alg = signatureAlgorithmOf(key);
  if (signature.length !== 64 || key.type !== 'public') return false;
  try {
    const object = keyObject(key);
    return alg === 'ES256'
      ? nodeVerify('sha256', data, { key: object, dsaEncoding: 'ieee-p1363' }, signature)
      : nodeVerify(null, data, object, signature);
  } catch {
    return false;
  }
}

/**
 * Verification keys imported so far, by their SubjectPublicKeyInfo (hex), oldest first (bounded):
 * every role imports the same policy certificates' keys for each computation, and a CryptoKey is
 * immutable, so one import per key serves them all.
 */
const importedVerifyKeys = new Map<string, Promise<CryptoKey>>();
const MAX_IMPORTED_VERIFY_KEYS = 1024;

/** Imports a verification key from DER SubjectPublicKeyInfo (as found in a certificate). */
export function importVerifyKey(spki: Uint8Array): Promise<CryptoKey> {
  const id = Buffer.from(spki).toString('hex');
  let key = importedVerifyKeys.get(id);
  if (key === undefined) {
    key = importAllowed(spki);
    // A refused key is not remembered: the same bytes are refused again, at the same cost.
    key.catch(() => importedVerifyKeys.delete(id));
    if (importedVerifyKeys.size >= MAX_IMPORTED_VERIFY_KEYS)
      importedVerifyKeys.delete(importedVerifyKeys.keys().next().value as string);
    importedVerifyKeys.set(id, key);
  }
  return key;
}

async function importAllowed(spki: Uint8Array): Promise<CryptoKey> {
  for (const alg of [ecdsa, { name: 'Ed25519' }]) {
    try {
      return await subtle.importKey('spki', spki, alg, true, ['verify']);
    } catch {
      // try the next allow-listed algorithm
    }
  }
  throw new TransportError('ERR_KEY_UNSUPPORTED', 'not a P-256 or Ed25519 public key');
}

export async function exportVerifyKey(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle.exportKey('spki', key));
}
