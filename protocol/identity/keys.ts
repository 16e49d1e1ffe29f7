// Key pairs for identities: ECDSA P-256 (the default, what OpenSSL and Veracruz expect) or Ed25519.
// Private keys travel as PKCS#8 PEM, public keys as SPKI PEM. Import goes through node:crypto first
// so that OpenSSL's own formats (SEC1 `EC PRIVATE KEY`) load too, and the curve is checked.
import { createPrivateKey, createPublicKey, type KeyObject, type webcrypto } from 'node:crypto';
import { IdentityError } from './errors.js';
import { nodeCrypto, type CryptoKey, type CryptoKeyPair, type WebCrypto } from './x509-provider.js';

export type KeyAlgorithmName = 'P-256' | 'Ed25519';

const GENERATE_PARAMS: Record<KeyAlgorithmName, webcrypto.EcKeyGenParams | webcrypto.Algorithm> = {
  'P-256': { name: 'ECDSA', namedCurve: 'P-256' } as webcrypto.EcKeyGenParams,
  Ed25519: { name: 'Ed25519' },
};

/** The signature algorithm used with a key of each kind (ECDSA with SHA-256, or plain Ed25519). */
export function signingAlgorithmFor(
  algorithm: KeyAlgorithmName,
): webcrypto.EcdsaParams | webcrypto.Algorithm {
  return algorithm === 'P-256'
    ? ({ name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams)
    : { name: 'Ed25519' };
}

/** Which of our algorithms a CryptoKey belongs to; throws for anything else. */
export function keyAlgorithmOf(key: CryptoKey): KeyAlgorithmName {
  const algorithm = key.algorithm as webcrypto.EcKeyAlgorithm;
  if (algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256') return 'P-256';
  if (algorithm.name === 'Ed25519') return 'Ed25519';
  throw new IdentityError(
    'ERR_IDENTITY_UNSUPPORTED_KEY',
    `unsupported key algorithm ${algorithm.name}`,
  );
}

/** A fresh extractable key pair. The randomness comes from the given WebCrypto provider. */
export async function generateKeyPair(
  algorithm: KeyAlgorithmName = 'P-256',
  crypto: WebCrypto = nodeCrypto,
): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(GENERATE_PARAMS[algorithm], true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}

function toPem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export async function exportPrivateKeyPem(
  key: CryptoKey,
  crypto: WebCrypto = nodeCrypto,
): Promise<string> {
  return toPem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', key));
}

export async function exportPublicKeyPem(
  key: CryptoKey,
  crypto: WebCrypto = nodeCrypto,
): Promise<string> {
  return toPem('PUBLIC KEY', await crypto.subtle.exportKey('spki', key));
}

function algorithmOfKeyObject(key: KeyObject): KeyAlgorithmName {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'P-256';
  }
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  throw new IdentityError(
    'ERR_IDENTITY_UNSUPPORTED_KEY',
    `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''}: use P-256 or Ed25519`,
  );
}

function importParams(
  algorithm: KeyAlgorithmName,
): webcrypto.EcKeyImportParams | webcrypto.Algorithm {
  return algorithm === 'P-256'
    ? ({ name: 'ECDSA', namedCurve: 'P-256' } as webcrypto.EcKeyImportParams)
    : { name: 'Ed25519' };
}

function privateKeyObject(pem: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new IdentityError('ERR_IDENTITY_BAD_KEY', 'not a PEM private key (PKCS#8 or SEC1)', {
      cause,
    });
  }
}

/** Imports a private key PEM (PKCS#8, or OpenSSL's SEC1 `EC PRIVATE KEY`). */
export async function importPrivateKeyPem(
  pem: string,
  options: { extractable?: boolean; crypto?: WebCrypto } = {},
): Promise<CryptoKey> {
  const keyObject = privateKeyObject(pem);
  const algorithm = algorithmOfKeyObject(keyObject);
  const der = keyObject.export({ format: 'der', type: 'pkcs8' });
  const crypto = options.crypto ?? nodeCrypto;
  return crypto.subtle.importKey(
    'pkcs8',
    der,
    importParams(algorithm),
    options.extractable ?? false,
    ['sign'],
  );
}

/** Imports an SPKI public key PEM (`PUBLIC KEY`). */
export async function importPublicKeyPem(
  pem: string,
  crypto: WebCrypto = nodeCrypto,
): Promise<CryptoKey> {
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new IdentityError('ERR_IDENTITY_BAD_KEY', 'not a PEM public key', { cause });
  }
  const algorithm = algorithmOfKeyObject(keyObject);
  const der = keyObject.export({ format: 'der', type: 'spki' });
  return crypto.subtle.importKey('spki', der, importParams(algorithm), true, ['verify']);
}

/** DER SubjectPublicKeyInfo of the public half of a private key PEM (to match it to a certificate). */
export function publicKeyDerOfPrivatePem(pem: string): Uint8Array {
  const keyObject = privateKeyObject(pem);
  algorithmOfKeyObject(keyObject);
  return new Uint8Array(createPublicKey(keyObject).export({ format: 'der', type: 'spki' }));
}
