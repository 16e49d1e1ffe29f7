// The sim platform's attestation key, held by the host launcher outside the enclave code (Veracruz's
// Linux backend hard-coded one; we refuse to). It comes from a PKCS#8 PEM file named by
// VC_SIM_ATTESTATION_KEY_FILE or given with --attestation-key, and `vc attest sim-key` creates one.
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { EvidenceError } from './errors.js';
import { toPem } from '../../attestation/index.js';

export const SIM_KEY_ENV = 'VC_SIM_ATTESTATION_KEY_FILE';

export interface SimAttestationKey {
  readonly privateKey: webcrypto.CryptoKey;
  readonly publicKey: webcrypto.CryptoKey;
  /** SPKI PEM: what `vc attest endorse --platform sim` registers with the verifier. */
  readonly publicKeyPem: string;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export async function simKeyFromPem(pem: string): Promise<SimAttestationKey> {
  let keyObject;
  try {
    keyObject = createPrivateKey(pem);
  } catch (error) {
    throw new EvidenceError('ERR_SIM_KEY_INVALID', 'sim attestation key is not a PEM private key', {
      cause: error,
    });
  }
  if (
    keyObject.asymmetricKeyType !== 'ec' ||
    keyObject.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
  ) {
    throw new EvidenceError('ERR_SIM_KEY_INVALID', 'sim attestation key must be EC P-256');
  }
  const pkcs8 = keyObject.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(keyObject).export({ format: 'der', type: 'spki' });
  return {
    privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, EC, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', spki, EC, true, ['verify']),
    publicKeyPem: toPem(new Uint8Array(spki), 'PUBLIC KEY'),
  };
}

/** Loads the key from `path`, or from the file named by VC_SIM_ATTESTATION_KEY_FILE. */
export async function loadSimAttestationKey(
  path?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SimAttestationKey> {
  const file = path ?? env[SIM_KEY_ENV];
  if (!file)
    throw new EvidenceError(
      'ERR_SIM_KEY_MISSING',
      `no sim attestation key: pass a key file or set ${SIM_KEY_ENV}`,
    );
  return simKeyFromPem(await readFile(file, 'utf8'));
}

/** Generates a new P-256 key and writes it as PKCS#8 PEM (mode 0600); returns it. */
export async function generateSimAttestationKey(
  path?: string,
): Promise<SimAttestationKey & { privateKeyPem: string }> {
  const pair = (await webcrypto.subtle.generateKey(EC, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const privateKeyPem = toPem(
    new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', pair.privateKey)),
    'PRIVATE KEY',
  );
  if (path) await writeFile(path, privateKeyPem, { mode: 0o600, flag: 'wx' });
  return { ...(await simKeyFromPem(privateKeyPem)), privateKeyPem };
}
