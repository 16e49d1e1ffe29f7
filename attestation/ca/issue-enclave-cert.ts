// Issues the enclave certificate after a successful appraisal (phase 4, docs/architecture.md): random serial, not a
// CA, digitalSignature only, valid no longer than the policy's enclave_cert_expiry, and the
// non-critical attestation extension. The subject key is the one in the (self-signed) CSR.
import { webcrypto } from 'node:crypto';
import { fail } from '../errors.js';
import { x509 } from '../../protocol/index.js';
import type { RandomBytes } from '../verifier/deps.js';
import { CA_SIGNING_ALGORITHM, randomSerial, type CaIdentity } from './ca-identity.js';
import { swapOidsAndResign } from './big-oid.js';
import {
  ENCLAVE_EXTENSION_OID,
  enclaveExtension,
  type EnclaveAttestationInfo,
} from './enclave-extension.js';

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

/** Parses a DER CSR and checks its self-signature and key type (ECDSA P-256). */
async function parseEnclaveCsr(der: Uint8Array): Promise<x509.Pkcs10CertificateRequest> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
  } catch (error) {
    return fail('ERR_ATTESTATION_CSR_INVALID', `CSR does not parse: ${(error as Error).message}`);
  }
  if (!(await csr.verify()))
    fail('ERR_ATTESTATION_CSR_INVALID', 'CSR self-signature does not verify');
  const alg = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
  if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256')
    fail('ERR_ATTESTATION_CSR_INVALID', 'CSR key is not ECDSA P-256');
  return csr;
}

/** Whole seconds, rounded down: X.509 times have no milliseconds. */
function floorSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

export async function issueEnclaveCertificate(
  params: IssueEnclaveCertParams,
): Promise<x509.X509Certificate> {
  const csr = await parseEnclaveCsr(params.csr);
  const notBefore = floorSeconds(params.now);
  const cap = Math.min(params.now.getTime() + params.lifetimeMs, params.policyExpiry.getTime());
  const notAfter = floorSeconds(new Date(cap));
  if (notAfter <= notBefore)
    fail('ERR_POLICY_EXPIRED', 'the policy expires before a certificate could be valid');
  const publicKey = await csr.publicKey.export(webcrypto as never);
  const generated = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(params.random),
    subject: `CN=Veracruz-TS enclave ${params.label.replace(/[^A-Za-z0-9._-]/g, '')}, O=Veracruz-TS`,
    issuer: params.ca.certificate.subject,
    notBefore,
    notAfter,
    publicKey,
    signingKey: params.ca.privateKey as never,
    signingAlgorithm: CA_SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(params.ca.certificate),
      enclaveExtension(params.info),
    ],
  });
  const der = swapOidsAndResign(
    new Uint8Array(generated.rawData),
    [ENCLAVE_EXTENSION_OID],
    params.ca.privateKey,
  );
  return new x509.X509Certificate(der);
}
