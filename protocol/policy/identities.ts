// `identities` and `proxy_service_cert`: the certificates are parsed and checked at a given time
// (Veracruz leaves that to its clients), ids and certificates must be distinct, and identity keys
// must be ones our participants can sign with (ECDSA P-256 or Ed25519).
import {
  certificateFingerprint,
  certificateKeyAlgorithm,
  checkCertificateValidity,
  isCaCertificate,
  parseCertificatePem,
  type X509Certificate,
} from '../identity/certificates.js';
import { PolicyError, childPath } from './errors.js';
import {
  MAX_CERTIFICATE_LENGTH,
  asObject,
  readArray,
  readInteger,
  readString,
  U32_MAX,
} from './fields.js';
import { readFileRights } from './rights-json.js';
import { MAX_LIST_ENTRIES } from './sections.js';
import type { JsonObject } from './strict-json.js';
import type { PolicyIdentity } from './types.js';
import { isVcError } from '../errors.js';

/** Parses a certificate field and checks it at `now`, reporting defects at `path`. */
function readCertificateAt(pem: string, path: string, now: Date): X509Certificate {
  let certificate: X509Certificate;
  try {
    certificate = parseCertificatePem(pem);
  } catch (cause) {
    throw new PolicyError(
      'ERR_POLICY_BAD_CERTIFICATE',
      path,
      `not a PEM X.509 certificate (${(cause as Error).message})`,
      { cause },
    );
  }
  try {
    checkCertificateValidity(certificate, now);
  } catch (cause) {
    const expired = isVcError(cause, 'ERR_IDENTITY_CERTIFICATE_EXPIRED');
    throw new PolicyError(
      expired ? 'ERR_POLICY_CERTIFICATE_EXPIRED' : 'ERR_POLICY_CERTIFICATE_NOT_YET_VALID',
      path,
      (cause as Error).message,
      { cause, details: (cause as PolicyError).details ?? {} },
    );
  }
  return certificate;
}

export function readIdentities(policy: JsonObject, now: Date): PolicyIdentity[] {
  const list = readArray(policy, 'identities', '$', MAX_LIST_ENTRIES);
  if (list.length === 0)
    throw new PolicyError(
      'ERR_POLICY_NO_IDENTITIES',
      '$.identities',
      'a policy needs at least one participant',
    );
  const ids = new Map<number, number>();
  const fingerprints = new Map<string, number>();
  return list.map((item, index): PolicyIdentity => {
    const path = childPath('$.identities', index);
    const entry = asObject(item, path);
    const pem = readString(entry, 'certificate', path, MAX_CERTIFICATE_LENGTH);
    const certificatePath = childPath(path, 'certificate');
    const certificate = readCertificateAt(pem, certificatePath, now);
    if (certificateKeyAlgorithm(certificate) === undefined) {
      throw new PolicyError(
        'ERR_POLICY_UNSUPPORTED_KEY',
        certificatePath,
        'participants sign with ECDSA P-256 or Ed25519 keys',
      );
    }
    const fingerprint = certificateFingerprint(certificate);
    const sameCertificate = fingerprints.get(fingerprint);
    if (sameCertificate !== undefined) {
      throw new PolicyError(
        'ERR_POLICY_DUPLICATE_CERTIFICATE',
        certificatePath,
        `same certificate as $.identities[${sameCertificate}]`,
      );
    }
    fingerprints.set(fingerprint, index);
    const id = readInteger(entry, 'id', path, 0, U32_MAX);
    const sameId = ids.get(id);
    if (sameId !== undefined) {
      throw new PolicyError(
        'ERR_POLICY_DUPLICATE_IDENTITY',
        childPath(path, 'id'),
        `id ${id} is already used by $.identities[${sameId}]`,
      );
    }
    ids.set(id, index);
    return { id, certificate: pem, fileRights: readFileRights(entry, path) };
  });
}

export function readProxyServiceCert(policy: JsonObject, now: Date): string {
  const pem = readString(policy, 'proxy_service_cert', '$', MAX_CERTIFICATE_LENGTH);
  const certificate = readCertificateAt(pem, '$.proxy_service_cert', now);
  if (!isCaCertificate(certificate)) {
    throw new PolicyError(
      'ERR_POLICY_PROXY_CERT_NOT_CA',
      '$.proxy_service_cert',
      'the verifier certificate must be a CA (basicConstraints cA=true)',
    );
  }
  return pem;
}
