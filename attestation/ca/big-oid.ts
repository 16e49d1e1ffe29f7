// Reading our extensions (certificate extensions and a CSR's requested extensions) through a small
// DER walk rather than an ASN.1 library: @peculiar/x509's ASN.1 layer cannot handle object
// identifiers with arcs beyond 2^53, and our private arc 2.25.<uuid> has a 128-bit arc. (Writing
// them: der.ts derOid, used by issue-enclave-cert.ts and csr-hpke.ts.)
import { equalBytes } from '../bytes.js';
import { DerError, derOid, readTlv, TAG } from './der.js';

export interface RawExtension {
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** Scans an `Extensions` SEQUENCE body for `oid`. */
function scanExtensions(body: Uint8Array, oidDer: Uint8Array): RawExtension | undefined {
  for (let offset = 0; offset < body.length;) {
    const ext = readTlv(body, offset);
    offset = ext.next;
    const id = readTlv(ext.value, 0);
    if (!equalBytes(ext.value.subarray(0, id.next), oidDer)) continue;
    let next = readTlv(ext.value, id.next);
    let critical = false;
    if (next.tag === TAG.BOOLEAN) {
      critical = next.value[0] === 0xff;
      next = readTlv(ext.value, next.next);
    }
    if (next.tag !== TAG.OCTET_STRING) throw new DerError('extension value is not an OCTET STRING');
    return { critical, value: Uint8Array.from(next.value) };
  }
  return undefined;
}

/** Finds an extension in a DER certificate (tbsCertificate's [3] extensions). */
export function certificateExtension(der: Uint8Array, oid: string): RawExtension | undefined {
  const tbs = readTlv(readTlv(der, 0).value, 0).value;
  for (let offset = 0; offset < tbs.length;) {
    const field = readTlv(tbs, offset);
    offset = field.next;
    if (field.tag === 0xa3) return scanExtensions(readTlv(field.value, 0).value, derOid(oid));
  }
  return undefined;
}

const EXTENSION_REQUEST = derOid('1.2.840.113549.1.9.14');

/** Finds a requested extension in a DER PKCS#10 CSR (attributes [0], extensionRequest). */
export function csrExtension(der: Uint8Array, oid: string): RawExtension | undefined {
  const info = readTlv(readTlv(der, 0).value, 0).value;
  for (let offset = 0; offset < info.length;) {
    const field = readTlv(info, offset);
    offset = field.next;
    if (field.tag !== 0xa0) continue;
    for (let a = 0; a < field.value.length;) {
      const attribute = readTlv(field.value, a);
      a = attribute.next;
      const type = readTlv(attribute.value, 0);
      if (!equalBytes(attribute.value.subarray(0, type.next), EXTENSION_REQUEST)) continue;
      const values = readTlv(attribute.value, type.next);
      return scanExtensions(readTlv(values.value, 0).value, derOid(oid));
    }
  }
  return undefined;
}
