// The few DER pieces the enclave's CSR, its certificate and their extension need (SEQUENCE, SET,
// INTEGER, BOOLEAN, OID, UTF8String, OCTET STRING, BIT STRING, times, context tags), written and read
// strictly: definite lengths, minimal length encodings, no trailing bytes. Small enough to audit, so
// no ASN.1 library is pulled in for them.
import { concatBytes } from '../bytes.js';

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  UTF8_STRING: 0x0c,
  BIT_STRING: 0x03,
  OID: 0x06,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export class DerError extends Error {}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  if (length < 0x100) return Uint8Array.of(0x81, length);
  if (length < 0x10000) return Uint8Array.of(0x82, length >> 8, length & 0xff);
  throw new DerError('DER value too long');
}

export function tlv(tag: number, value: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(tag), encodeLength(value.length), value);
}

export function derSmallInteger(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 127)
    throw new DerError('only small integers');
  return tlv(TAG.INTEGER, Uint8Array.of(value));
}

export const derBoolean = (value: boolean): Uint8Array =>
  tlv(TAG.BOOLEAN, Uint8Array.of(value ? 0xff : 0x00));
export const derUtf8 = (value: string): Uint8Array =>
  tlv(TAG.UTF8_STRING, new TextEncoder().encode(value));
export const derOctets = (value: Uint8Array): Uint8Array => tlv(TAG.OCTET_STRING, value);
export const derSequence = (...items: Uint8Array[]): Uint8Array =>
  tlv(TAG.SEQUENCE, concatBytes(...items));

/** A positive INTEGER from its unsigned big-endian bytes (a 0 byte is prepended if the top bit is set). */
export function derUnsigned(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const value = bytes.subarray(start);
  return tlv(TAG.INTEGER, (value[0] ?? 0) & 0x80 ? concatBytes(Uint8Array.of(0), value) : value);
}

/** An OBJECT IDENTIFIER; arcs may exceed 2^53 (our private arc 2.25.<uuid> is 128 bits). */
export function derOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  const [first = 0n, second = 0n, ...rest] = arcs;
  const out: number[] = [];
  for (let value of [first * 40n + second, ...rest]) {
    const bytes = [Number(value & 0x7fn)];
    for (value >>= 7n; value > 0n; value >>= 7n) bytes.unshift(Number(value & 0x7fn) | 0x80);
    out.push(...bytes);
  }
  return tlv(TAG.OID, Uint8Array.from(out));
}

/** A BIT STRING with no unused bits. */
export const derBits = (value: Uint8Array): Uint8Array =>
  tlv(TAG.BIT_STRING, concatBytes(Uint8Array.of(0), value));
export const derSet = (...items: Uint8Array[]): Uint8Array => tlv(TAG.SET, concatBytes(...items));
/** A constructed context-specific tag [n] (EXPLICIT, or IMPLICIT over a constructed type). */
export const derContext = (n: number, ...items: Uint8Array[]): Uint8Array =>
  tlv(0xa0 | n, concatBytes(...items));

/** An X.509 Time (RFC 5280 4.1.2.5): UTCTime through 2049, GeneralizedTime from 2050; whole seconds. */
export function derTime(date: Date): Uint8Array {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 9999) throw new DerError('time out of range');
  return year < 2050
    ? tlv(0x17, new TextEncoder().encode(digits.slice(2)))
    : tlv(0x18, new TextEncoder().encode(digits));
}

/** Reads one TLV at `offset`; returns its tag, value and the offset after it. */
export function readTlv(
  bytes: Uint8Array,
  offset: number,
): { tag: number; value: Uint8Array; next: number } {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined) throw new DerError('truncated DER');
  let length = first;
  let start = offset + 2;
  if (first === 0x81) {
    length = bytes[offset + 2] ?? -1;
    if (length < 0x80) throw new DerError('non-minimal DER length');
    start = offset + 3;
  } else if (first === 0x82) {
    length = ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0);
    if (length < 0x100) throw new DerError('non-minimal DER length');
    start = offset + 4;
  } else if (first >= 0x80) {
    throw new DerError('unsupported DER length');
  }
  if (start + length > bytes.length) throw new DerError('truncated DER');
  return { tag, value: bytes.subarray(start, start + length), next: start + length };
}

/** Reads a SEQUENCE filling `bytes` exactly and returns its elements in order. */
export function readSequence(bytes: Uint8Array): { tag: number; value: Uint8Array }[] {
  const outer = readTlv(bytes, 0);
  if (outer.tag !== TAG.SEQUENCE || outer.next !== bytes.length)
    throw new DerError('not one DER SEQUENCE');
  const items: { tag: number; value: Uint8Array }[] = [];
  for (let offset = 0; offset < outer.value.length;) {
    const item = readTlv(outer.value, offset);
    items.push({ tag: item.tag, value: item.value });
    offset = item.next;
  }
  return items;
}
