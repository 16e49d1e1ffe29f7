// X.509 certificates for identities: self-signed participant certificates, CA certificates (the
// verifier's), certificates issued by a CA (the verifier issuing enclave certificates), parsing and
// validity checks. Time and randomness are parameters: nothing here reads the clock.
import { randomBytes as nodeRandomBytes, type webcrypto } from 'node:crypto';
import { sha256Hex } from '../hash.js';
import { IdentityError } from './errors.js';
import { keyAlgorithmOf, signingAlgorithmFor } from './keys.js';
import {
  nodeCrypto,
  x509,
  type CryptoKey,
  type CryptoKeyPair,
  type WebCrypto,
} from './x509-provider.js';

export type X509Certificate = x509.X509Certificate;
export type RandomBytes = (length: number) => Uint8Array;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Subject of a certificate: a common name, optionally an organisation and a country. */
export interface SubjectName {
  readonly commonName: string;
  readonly organization?: string;
  readonly country?: string;
}

/** Common options of the certificate makers. `now` is required: time is always injected. */
export interface CertificateTimeOptions {
  /** Start of validity (truncated to whole seconds, as X.509 stores it). */
  readonly now: Date;
  /** Length of validity in days (default 3650, ten years). */
  readonly validityDays?: number;
  /** Randomness for the serial number (default node:crypto). */
  readonly randomBytes?: RandomBytes;
  readonly crypto?: WebCrypto;
}

function toJsonName(subject: string | SubjectName): x509.JsonName {
  const name: SubjectName = typeof subject === 'string' ? { commonName: subject } : subject;
  if (name.commonName.length === 0 || name.commonName.length > 64) {
    throw new IdentityError('ERR_IDENTITY_BAD_NAME', 'a common name has 1 to 64 characters');
  }
  const json: x509.JsonName = [];
  if (name.country) json.push({ C: [name.country] });
  if (name.organization) json.push({ O: [name.organization] });
  json.push({ CN: [name.commonName] });
  return json;
}

/** A positive 16-byte serial number in hex, from the injected randomness. */
export function randomSerialNumber(randomBytes: RandomBytes = nodeRandomBytes): string {
  const bytes = Uint8Array.from(randomBytes(16));
  // Clear the sign bit and set the next one: positive, and never shortened by a leading zero.
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return Buffer.from(bytes).toString('hex');
}

function validity(options: CertificateTimeOptions): { notBefore: Date; notAfter: Date } {
  const start = Math.floor(options.now.getTime() / 1000) * 1000;
  const days = options.validityDays ?? 3650;
  if (!Number.isFinite(start) || !(days > 0)) {
    throw new IdentityError(
      'ERR_IDENTITY_BAD_VALIDITY',
      'invalid validity: needs a valid now and days > 0',
    );
  }
  return { notBefore: new Date(start), notAfter: new Date(start + days * DAY_MS) };
}

/** A self-signed end-entity certificate for a participant (digitalSignature, not a CA). */
export async function createSelfSignedCertificate(
  keys: CryptoKeyPair,
  subject: string | SubjectName,
  options: CertificateTimeOptions,
): Promise<X509Certificate> {
  const crypto = options.crypto ?? nodeCrypto;
  return x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(options.randomBytes),
      name: toJsonName(subject),
      ...validity(options),
      keys,
      signingAlgorithm: signingAlgorithmFor(keyAlgorithmOf(keys.privateKey)),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
}

/** A self-signed CA certificate (keyCertSign, cRLSign), e.g. the verifier's `proxy_service_cert`. */
export async function createCaCertificate(
  keys: CryptoKeyPair,
  subject: string | SubjectName,
  options: CertificateTimeOptions & { pathLength?: number },
): Promise<X509Certificate> {
  const crypto = options.crypto ?? nodeCrypto;
  const usages =
    x509.KeyUsageFlags.keyCertSign |
    x509.KeyUsageFlags.cRLSign |
    x509.KeyUsageFlags.digitalSignature;
  return x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(options.randomBytes),
      name: toJsonName(subject),
      ...validity(options),
      keys,
      signingAlgorithm: signingAlgorithmFor(keyAlgorithmOf(keys.privateKey)),
      extensions: [
        new x509.BasicConstraintsExtension(true, options.pathLength, true),
        new x509.KeyUsagesExtension(usages, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
}

export interface IssueCertificateParams {
  /** The CA's certificate and private key. */
  readonly issuer: { readonly certificate: X509Certificate; readonly privateKey: CryptoKey };
  readonly subject: string | SubjectName;
  readonly subjectPublicKey: CryptoKey;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hex serial; default random from `randomBytes`. */
  readonly serialNumber?: string;
  readonly randomBytes?: RandomBytes;
  /** Key usage flags (x509.KeyUsageFlags); default digitalSignature. */
  readonly keyUsages?: number;
  readonly isCa?: boolean;
  /** Further extensions, e.g. a private-arc extension carrying a measurement. */
  readonly extensions?: readonly x509.Extension[];
  readonly crypto?: WebCrypto;
}

/** A certificate signed by a CA (used by the verifier to certify enclave keys). */
export async function issueCertificate(params: IssueCertificateParams): Promise<X509Certificate> {
  const crypto = params.crypto ?? nodeCrypto;
  if (!(params.notAfter.getTime() > params.notBefore.getTime())) {
    throw new IdentityError('ERR_IDENTITY_BAD_VALIDITY', 'notAfter must come after notBefore');
  }
  return x509.X509CertificateGenerator.create(
    {
      serialNumber: params.serialNumber ?? randomSerialNumber(params.randomBytes),
      subject: toJsonName(params.subject),
      issuer: params.issuer.certificate.subjectName.toJSON(),
      notBefore: params.notBefore,
      notAfter: params.notAfter,
      publicKey: params.subjectPublicKey,
      signingKey: params.issuer.privateKey,
      signingAlgorithm: signingAlgorithmFor(keyAlgorithmOf(params.issuer.privateKey)),
      extensions: [
        new x509.BasicConstraintsExtension(params.isCa ?? false, undefined, true),
        new x509.KeyUsagesExtension(params.keyUsages ?? x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(params.subjectPublicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(params.issuer.certificate, false, crypto),
        ...(params.extensions ?? []),
      ],
    },
    crypto,
  );
}

/**
 * Certificates parsed so far, by their exact PEM text or `der:<sha256 of the DER>`, oldest first
 * (bounded). The same certificate reaches a process many times (every policy names the verifier's
 * CA, every participant of a computation checks the same enclave certificate) and its ASN.1
 * parse is the costly part. A parsed certificate is shared: callers only read it.
 */
const parsedCertificates = new Map<string, X509Certificate>();
const MAX_PARSED_CERTIFICATES = 1024;

function rememberCertificate(key: string, parse: () => X509Certificate): X509Certificate {
  const known = parsedCertificates.get(key);
  if (known) return known;
  const certificate = parse();
  if (parsedCertificates.size >= MAX_PARSED_CERTIFICATES)
    parsedCertificates.delete(parsedCertificates.keys().next().value as string);
  parsedCertificates.set(key, certificate);
  return certificate;
}

/** Parses a DER certificate (once per exact bytes; the x509 parser's error when it is not one). */
export function parseCertificateDer(der: Uint8Array): X509Certificate {
  return rememberCertificate(`der:${sha256Hex(der)}`, () => new x509.X509Certificate(der));
}

/** Parses one PEM certificate; anything else (several, none, garbage) is refused. */
export function parseCertificatePem(pem: string): X509Certificate {
  const known = parsedCertificates.get(pem);
  if (known) return known;
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length !== 1 || pem.replace(blocks[0] ?? '', '').trim() !== '') {
    throw new IdentityError('ERR_IDENTITY_BAD_PEM', 'expected exactly one PEM CERTIFICATE block');
  }
  try {
    return rememberCertificate(pem, () => new x509.X509Certificate(blocks[0] as string));
  } catch (cause) {
    throw new IdentityError(
      'ERR_IDENTITY_BAD_CERTIFICATE',
      'the PEM block is not a DER X.509 certificate',
      {
        cause,
      },
    );
  }
}

/** PEM text with 64-column lines and a trailing newline (what OpenSSL writes). */
export function certificateToPem(certificate: X509Certificate): string {
  return `${certificate.toString('pem').trim()}\n`;
}

export function isCertificateValidAt(certificate: X509Certificate, at: Date): boolean {
  const time = at.getTime();
  return certificate.notBefore.getTime() <= time && time <= certificate.notAfter.getTime();
}

/** Throws ERR_IDENTITY_CERTIFICATE_NOT_YET_VALID or ..._EXPIRED unless valid at `at`. */
export function checkCertificateValidity(certificate: X509Certificate, at: Date): void {
  const details = {
    at: at.toISOString(),
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
  };
  if (at.getTime() < certificate.notBefore.getTime()) {
    throw new IdentityError(
      'ERR_IDENTITY_CERTIFICATE_NOT_YET_VALID',
      `certificate not valid before ${details.notBefore} (checked at ${details.at})`,
      { details },
    );
  }
  if (at.getTime() > certificate.notAfter.getTime()) {
    throw new IdentityError(
      'ERR_IDENTITY_CERTIFICATE_EXPIRED',
      `certificate expired at ${details.notAfter} (checked at ${details.at})`,
      { details },
    );
  }
}

/** True when `certificate` carries basicConstraints with cA set. */
export function isCaCertificate(certificate: X509Certificate): boolean {
  const constraints = certificate.getExtension(x509.BasicConstraintsExtension);
  return constraints?.ca === true;
}

/** Verifies the certificate's signature with the issuer's public key (no time check). */
export async function verifyIssuedBy(
  certificate: X509Certificate,
  issuer: X509Certificate,
  crypto: WebCrypto = nodeCrypto,
): Promise<boolean> {
  return certificate.verify({ publicKey: issuer.publicKey, signatureOnly: true }, crypto);
}

/** Lowercase hex SHA-256 of the certificate's DER bytes. */
export function certificateFingerprint(certificate: X509Certificate): string {
  return sha256Hex(new Uint8Array(certificate.rawData));
}

/** The certificate's key algorithm if it is one we sign with (P-256 or Ed25519), else undefined. */
export function certificateKeyAlgorithm(
  certificate: X509Certificate,
): 'P-256' | 'Ed25519' | undefined {
  const algorithm = certificate.publicKey.algorithm as webcrypto.EcKeyAlgorithm;
  if (algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256') return 'P-256';
  if (algorithm.name === 'Ed25519') return 'Ed25519';
  return undefined;
}

/** The certificate subject's common name, if any. */
export function commonNameOf(certificate: X509Certificate): string | undefined {
  return certificate.subjectName.getField('CN')[0];
}
