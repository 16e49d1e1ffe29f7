// The verifier's CA identity: a P-256 key and a self-signed CA certificate. That certificate is what
// policies name as `proxy_service_cert`. (protocol/identity offers general identities; this file keeps
// the CA profile the relying-party check expects in one place.)
import { webcrypto } from 'node:crypto';
import { pemBlocks, toPem } from '../bytes.js';
import { x509 } from '../../protocol/index.js';
import type { RandomBytes } from '../verifier/deps.js';

export interface CaIdentity {
  readonly certificate: x509.X509Certificate;
  readonly privateKey: webcrypto.CryptoKey;
}

export interface NewCa extends CaIdentity {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const CA_SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A positive, non-zero 128-bit serial from injected randomness (RFC 5280 allows up to 20 octets). */
export function randomSerial(random: RandomBytes): string {
  const bytes = random(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

export async function createVerifierCa(options: {
  name?: string;
  notBefore: Date;
  notAfter: Date;
  random: RandomBytes;
}): Promise<NewCa> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(options.random),
    name: options.name ?? 'CN=Veracruz-TS verifier CA, O=Veracruz-TS',
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    keys: keys as unknown as Parameters<
      typeof x509.X509CertificateGenerator.createSelfSigned
    >[0]['keys'],
    signingAlgorithm: CA_SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
  const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    certificate,
    privateKey: keys.privateKey,
    certificatePem: certificate.toString('pem') + '\n',
    privateKeyPem: toPem(pkcs8, 'PRIVATE KEY'),
  };
}

/** Loads a CA from PEM texts (certificate and PKCS#8 private key). */
export async function caFromPem(
  certificatePem: string,
  privateKeyPem: string,
): Promise<CaIdentity> {
  const der = pemBlocks(privateKeyPem, 'PRIVATE KEY')[0];
  if (!der) throw new TypeError('no PRIVATE KEY block in the CA key file');
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, EC, false, ['sign']);
  return { certificate: new x509.X509Certificate(certificatePem), privateKey };
}
