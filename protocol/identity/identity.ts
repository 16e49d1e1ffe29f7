// A participant's (or a CA's) identity as a whole: key pair, certificate and their PEM texts, made
// fresh or loaded from the two files `vc identity` writes (`NAME.crt.pem`, `NAME.key.pem`).
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  certificateToPem,
  createCaCertificate,
  createSelfSignedCertificate,
  parseCertificatePem,
  type CertificateTimeOptions,
  type SubjectName,
  type X509Certificate,
} from './certificates.js';
import { IdentityError } from './errors.js';
import {
  exportPrivateKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
  publicKeyDerOfPrivatePem,
  type KeyAlgorithmName,
} from './keys.js';
import { nodeCrypto, type CryptoKey, type WebCrypto } from './x509-provider.js';

export interface Identity {
  readonly certificate: X509Certificate;
  /** PEM exactly as written to / read from the certificate file. */
  readonly certificatePem: string;
  /** Non-extractable when loaded from a file. */
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

export interface GeneratedIdentity extends Identity {
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
}

export interface NewIdentityOptions extends CertificateTimeOptions {
  readonly name: string | SubjectName;
  readonly algorithm?: KeyAlgorithmName;
  /** A CA certificate (keyCertSign) instead of a participant's. */
  readonly ca?: boolean;
}

/** Generates a key pair and a self-signed certificate (participant or CA). */
export async function createIdentity(options: NewIdentityOptions): Promise<GeneratedIdentity> {
  const crypto = options.crypto ?? nodeCrypto;
  const keys = await generateKeyPair(options.algorithm ?? 'P-256', crypto);
  const certificate = options.ca
    ? await createCaCertificate(keys, options.name, options)
    : await createSelfSignedCertificate(keys, options.name, options);
  return {
    certificate,
    certificatePem: certificateToPem(certificate),
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    privateKeyPem: await exportPrivateKeyPem(keys.privateKey, crypto),
  };
}

/** The file names `vc identity` uses in its output folder. */
function identityFileNames(name: string): { certificate: string; key: string } {
  return { certificate: `${name}.crt.pem`, key: `${name}.key.pem` };
}

/** Writes `NAME.crt.pem` and `NAME.key.pem` (mode 0600) into `dir`, refusing to overwrite. */
export async function writeIdentityFiles(
  dir: string,
  name: string,
  identity: GeneratedIdentity,
): Promise<{ certificate: string; key: string }> {
  const names = identityFileNames(name);
  const paths = { certificate: join(dir, names.certificate), key: join(dir, names.key) };
  await mkdir(dir, { recursive: true });
  try {
    await writeFile(paths.key, identity.privateKeyPem, { mode: 0o600, flag: 'wx' });
    await writeFile(paths.certificate, identity.certificatePem, { flag: 'wx' });
  } catch (cause) {
    throw new IdentityError(
      'ERR_IDENTITY_FILE',
      `cannot write ${paths.key} or ${paths.certificate}`,
      {
        cause,
        details: { code: (cause as NodeJS.ErrnoException).code },
      },
    );
  }
  return paths;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new IdentityError('ERR_IDENTITY_FILE', `cannot read ${path}`, {
      cause,
      details: { path, code: (cause as NodeJS.ErrnoException).code },
    });
  }
}

/**
 * Loads an identity from PEM texts and checks that the private key belongs to the certificate
 * (ERR_IDENTITY_KEY_MISMATCH otherwise). Validity in time is the caller's check (it knows the time).
 */
export async function identityFromPem(
  certificatePem: string,
  privateKeyPem: string,
  crypto: WebCrypto = nodeCrypto,
): Promise<Identity> {
  const certificate = parseCertificatePem(certificatePem);
  const keySpki = Buffer.from(publicKeyDerOfPrivatePem(privateKeyPem));
  if (!keySpki.equals(Buffer.from(certificate.publicKey.rawData))) {
    throw new IdentityError(
      'ERR_IDENTITY_KEY_MISMATCH',
      'the private key does not belong to the certificate',
    );
  }
  return {
    certificate,
    certificatePem,
    privateKey: await importPrivateKeyPem(privateKeyPem, { crypto }),
    publicKey: await certificate.publicKey.export(crypto),
  };
}

/** Reads `--identity CERT --key KEY` files. */
export async function loadIdentity(certificatePath: string, keyPath: string): Promise<Identity> {
  return identityFromPem(await readText(certificatePath), await readText(keyPath));
}
