// The enclave certificate's private extension (phase 4, docs/architecture.md). Non-critical, under the private arc
// 2.25.<uuid as integer> (uuid 373f13b7-afcc-499d-b0fa-e8ddf7cee807, fixed for this project):
//
//   VeracruzEnclaveAttestation ::= SEQUENCE {
//     version        INTEGER (1),
//     platform       UTF8String,      -- "sim" | "psa" | "nitro" | "cca" (attestation/platforms/types.ts)
//     measurement    OCTET STRING,    -- runtime measurement (SHA-256 for sim, PCR0 for nitro, the RIM for cca, ...)
//     policyHash     OCTET STRING,    -- SHA-256 of the exact policy bytes (32 bytes)
//     hpkePublicKey  OCTET STRING,    -- uncompressed P-256 point (65 bytes) the enclave opens HPKE with
//     insecure       BOOLEAN          -- TRUE for simulated attestation
//   }
import { fromHex, toHex } from '../bytes.js';
import { fail } from '../errors.js';
import { isPlatformName, type PlatformName } from '../platforms/types.js';
import type { x509 } from '../../protocol/index.js';
import { certificateExtension } from './big-oid.js';
import {
  DerError,
  derBoolean,
  derOctets,
  derSequence,
  derSmallInteger,
  derUtf8,
  readSequence,
  TAG,
} from './der.js';

export const ENCLAVE_EXTENSION_OID = '2.25.73435054389201121870000245970350041095';
const VERSION = 1;

export interface EnclaveAttestationInfo {
  readonly platform: PlatformName;
  /** Lowercase hex. */
  readonly measurement: string;
  /** Lowercase hex SHA-256 of the policy file. */
  readonly policyHash: string;
  /** Raw uncompressed P-256 point. */
  readonly hpkePublicKey: Uint8Array;
  readonly insecure: boolean;
}

export function encodeEnclaveExtension(info: EnclaveAttestationInfo): Uint8Array {
  return derSequence(
    derSmallInteger(VERSION),
    derUtf8(info.platform),
    derOctets(fromHex(info.measurement)),
    derOctets(fromHex(info.policyHash)),
    derOctets(info.hpkePublicKey),
    derBoolean(info.insecure),
  );
}

function decodeEnclaveExtension(der: Uint8Array): EnclaveAttestationInfo {
  try {
    const items = readSequence(der);
    const tags = items.map((i) => i.tag);
    const expected = [
      TAG.INTEGER,
      TAG.UTF8_STRING,
      TAG.OCTET_STRING,
      TAG.OCTET_STRING,
      TAG.OCTET_STRING,
      TAG.BOOLEAN,
    ];
    if (tags.length !== expected.length || tags.some((t, i) => t !== expected[i]))
      throw new DerError('bad fields');
    const [version, platform, measurement, policyHash, hpke, insecure] = items.map(
      (i) => i.value,
    ) as Uint8Array[];
    if (version?.length !== 1 || version[0] !== VERSION) throw new DerError('unknown version');
    const platformName = new TextDecoder('utf-8', { fatal: true }).decode(platform);
    if (!isPlatformName(platformName)) throw new DerError('unknown platform');
    if (policyHash?.length !== 32 || hpke?.length !== 65 || insecure?.length !== 1)
      throw new DerError('bad sizes');
    if (insecure[0] !== 0x00 && insecure[0] !== 0xff) throw new DerError('bad boolean');
    return {
      platform: platformName,
      measurement: toHex(measurement ?? new Uint8Array()),
      policyHash: toHex(policyHash),
      hpkePublicKey: Uint8Array.from(hpke),
      insecure: insecure[0] === 0xff,
    };
  } catch (error) {
    return fail(
      'ERR_ENCLAVE_CERT_INVALID',
      `enclave attestation extension is malformed: ${(error as Error).message}`,
    );
  }
}

/** Reads our extension from a certificate; ERR_ENCLAVE_CERT_INVALID when absent or malformed. */
export function enclaveInfoOf(certificate: x509.X509Certificate): EnclaveAttestationInfo {
  let ext;
  try {
    ext = certificateExtension(new Uint8Array(certificate.rawData), ENCLAVE_EXTENSION_OID);
  } catch (error) {
    return fail(
      'ERR_ENCLAVE_CERT_INVALID',
      `certificate extensions do not parse: ${(error as Error).message}`,
    );
  }
  if (!ext) fail('ERR_ENCLAVE_CERT_INVALID', 'certificate has no enclave attestation extension');
  if (ext.critical)
    fail('ERR_ENCLAVE_CERT_INVALID', 'enclave attestation extension must be non-critical');
  return decodeEnclaveExtension(ext.value);
}
