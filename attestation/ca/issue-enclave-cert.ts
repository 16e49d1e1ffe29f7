// Issues the enclave certificate after a successful appraisal (phase 4, docs/architecture.md): random serial, not a
// CA, digitalSignature only, valid no longer than the policy's enclave_cert_expiry, and the
// non-critical attestation extension. The subject key is the one in the (self-signed) CSR.
// The certificate is written directly in DER (der.ts) and signed once with node:crypto: its
// profile is the X.509 v3 one OpenSSL and @peculiar/x509 read (tests check both).
import { createHash } from 'node:crypto';
import { fromHex } from '../bytes.js';
import { fail } from '../errors.js';
import { parseCertificateDer, type x509 } from '../../protocol/index.js';
import type { RandomBytes } from '../verifier/deps.js';
import { randomSerial, type CaIdentity } from './ca-identity.js';
import { certificateExtension } from './big-oid.js';
import { verifyEnclaveCsr } from './csr-hpke.js';
import {
  derBoolean,
  derContext,
  derOctets,
  derOid,
  derSequence,
  derSet,
  derSmallInteger,
  derTime,
  derUnsigned,
  derUtf8,
  readTlv,
  tlv,
} from './der.js';
import {
  ENCLAVE_EXTENSION_OID,
  encodeEnclaveExtension,
  type EnclaveAttestationInfo,
} from './enclave-extension.js';
import { ECDSA_WITH_SHA256, signDer } from './signed-der.js';

export interface IssueEnclaveCertParams {
  readonly ca: CaIdentity;
  /** DER PKCS#10 request from the enclave. */
  readonly csr: Uint8Array;
  readonly info: EnclaveAttestationInfo;
  readonly now: Date;
  /** The verifier's own cap on certificate lifetime. */
  readonly lifetimeMs: number;
  /** The policy's enclave_cert_expiry: notAfter never exceeds it. */
  readonly policyExpiry: Date;
  readonly random: RandomBytes;
  /** Shown in the subject CN (e.g. the attestation session id). */
  readonly label: string;
}

/** Whole seconds, rounded down: X.509 times have no milliseconds. */
function floorSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

const keyIdentifier = (publicKeyBits: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha1').update(publicKeyBits).digest());

/** What every certificate of one CA repeats: its subject (our issuer) and its key identifier. */
interface IssuerFields {
  readonly name: Uint8Array;
  readonly keyIdentifier: Uint8Array;
}

const issuers = new WeakMap<x509.X509Certificate, IssuerFields>();

function issuerFields(ca: x509.X509Certificate): IssuerFields {
  const cached = issuers.get(ca);
  if (cached) return cached;
  const der = new Uint8Array(ca.rawData);
  // tbsCertificate: [0] version, serial, signature, issuer, validity, subject, SPKI, ...
  const tbs = readTlv(readTlv(der, 0).value, 0).value;
  const fields: Uint8Array[] = [];
  for (let offset = 0; fields.length < 7;) {
    const field = readTlv(tbs, offset);
    fields.push(tbs.subarray(offset, field.next));
    offset = field.next;
  }
  const spki = readTlv(fields[6]!, 0).value;
  const bits = readTlv(spki, readTlv(spki, 0).next).value.subarray(1);
  const ski = certificateExtension(der, '2.5.29.14');
  const fieldsOut = {
    name: Uint8Array.from(fields[5]!),
    keyIdentifier: ski ? readTlv(ski.value, 0).value.slice() : keyIdentifier(bits),
  };
  issuers.set(ca, fieldsOut);
  return fieldsOut;
}

const extension = (oid: string, critical: boolean, value: Uint8Array): Uint8Array =>
  critical
    ? derSequence(derOid(oid), derBoolean(true), derOctets(value))
    : derSequence(derOid(oid), derOctets(value));

/** KeyUsage with only digitalSignature (bit 0): BIT STRING, 7 unused bits, 0x80. */
const DIGITAL_SIGNATURE_ONLY = Uint8Array.of(0x03, 0x02, 0x07, 0x80);

export async function issueEnclaveCertificate(
  params: IssueEnclaveCertParams,
): Promise<x509.X509Certificate> {
  const csr = verifyEnclaveCsr(params.csr);
  const notBefore = floorSeconds(params.now);
  const cap = Math.min(params.now.getTime() + params.lifetimeMs, params.policyExpiry.getTime());
  const notAfter = floorSeconds(new Date(cap));
  if (notAfter <= notBefore)
    fail('ERR_POLICY_EXPIRED', 'the policy expires before a certificate could be valid');
  const issuer = issuerFields(params.ca.certificate);
  const label = params.label.replace(/[^A-Za-z0-9._-]/g, '');
  const subject = derSequence(
    derSet(derSequence(derOid('2.5.4.3'), derUtf8(`Veracruz-TS enclave ${label}`))),
    derSet(derSequence(derOid('2.5.4.10'), derUtf8('Veracruz-TS'))),
  );
  const extensions = derSequence(
    extension('2.5.29.19', true, derSequence()), // basicConstraints: not a CA
    extension('2.5.29.15', true, DIGITAL_SIGNATURE_ONLY),
    extension('2.5.29.14', false, derOctets(keyIdentifier(csr.publicKeyBits))),
    extension(
      '2.5.29.35',
      false,
      derSequence(tlv(0x80, issuer.keyIdentifier)) /* [0] keyIdentifier */,
    ),
    extension(ENCLAVE_EXTENSION_OID, false, encodeEnclaveExtension(params.info)),
  );
  const tbs = derSequence(
    derContext(0, derSmallInteger(2)), // v3
    derUnsigned(fromHex(randomSerial(params.random))),
    ECDSA_WITH_SHA256,
    issuer.name,
    derSequence(derTime(notBefore), derTime(notAfter)),
    subject,
    csr.spki,
    derContext(3, extensions),
  );
  // Through the shared parse cache: relying parties in this process then parse these bytes for free.
  return parseCertificateDer(signDer(tbs, params.ca.privateKey));
}
