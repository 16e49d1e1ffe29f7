// @peculiar/x509's ASN.1 layer cannot encode object identifiers with arcs beyond 2^53, and our
// private arc 2.25.<uuid> has a 128-bit arc. So certificates and CSRs are generated with a
// placeholder OID of the same encoded length (2.25.1.1...), then the placeholder bytes are replaced
// by the real OID and the to-be-signed part is signed again. Reading goes through our own small DER
// walk instead of the library's extension list.
import { KeyObject, sign, type webcrypto } from 'node:crypto';
import { concatBytes, equalBytes } from '../bytes.js';
import { DerError, readTlv, tlv, TAG } from './der.js';

function oidToDer(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  const [first = 0n, second = 0n, ...rest] = arcs;
  const out: number[] = [];
  for (let value of [first * 40n + second, ...rest]) {
    const bytes = [Number(value & 0x7fn)];
    for (value >>= 7n; value > 0n; value >>= 7n) bytes.unshift(Number(value & 0x7fn) | 0x80);
    out.push(...bytes);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** An OID the library handles whose DER has exactly the length of `oid`'s: 2.25.1.1.1... */
export function placeholderFor(oid: string): string {
  const contentLength = oidToDer(oid).length - 2;
  return ['2', '25', ...Array<string>(contentLength - 1).fill('1')].join('.');
}

function replaceAll(bytes: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = 0; i + from.length <= out.length; i++) {
    if (equalBytes(out.subarray(i, i + from.length), from)) out.set(to, i);
  }
  return out;
}

/**
 * Takes a signed structure SEQUENCE { toBeSigned, signatureAlgorithm, BIT STRING } (a certificate
 * or a CSR), swaps placeholder OIDs for real ones inside toBeSigned and signs it again with
 * ECDSA P-256 SHA-256 (the algorithm the structure already names).
 */
export function swapOidsAndResign(
  der: Uint8Array,
  oids: readonly string[],
  key: webcrypto.CryptoKey,
): Uint8Array {
  const outer = readTlv(der, 0);
  if (outer.tag !== TAG.SEQUENCE) throw new DerError('not a signed structure');
  const tbs = readTlv(outer.value, 0);
  const alg = readTlv(outer.value, tbs.next);
  let tbsBytes: Uint8Array = outer.value.slice(0, tbs.next);
  for (const oid of oids)
    tbsBytes = replaceAll(tbsBytes, oidToDer(placeholderFor(oid)), oidToDer(oid));
  const signature = new Uint8Array(
    sign('sha256', tbsBytes, { key: KeyObject.from(key), dsaEncoding: 'der' }),
  );
  const algBytes = outer.value.slice(tbs.next, alg.next);
  return tlv(
    TAG.SEQUENCE,
    concatBytes(tbsBytes, algBytes, tlv(0x03, concatBytes(Uint8Array.of(0), signature))),
  );
}

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
    if (field.tag === 0xa3) return scanExtensions(readTlv(field.value, 0).value, oidToDer(oid));
  }
  return undefined;
}

const EXTENSION_REQUEST = oidToDer('1.2.840.113549.1.9.14');

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
      return scanExtensions(readTlv(values.value, 0).value, oidToDer(oid));
    }
  }
  return undefined;
}
