// The few DER pieces our certificate extension needs (SEQUENCE, INTEGER, BOOLEAN, UTF8String,
// OCTET STRING), written and read strictly: definite lengths, minimal length encodings, no trailing
// bytes. Small enough to audit, so no ASN.1 library is pulled in for it.
import { concatBytes } from '../bytes.js';

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
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
