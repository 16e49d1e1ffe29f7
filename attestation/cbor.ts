// CBOR for evidence: one decoder configuration for untrusted bytes (maps stay Maps, no record
// extensions, size limit checked before decoding) and one deterministic-enough encoder for our own
// tokens (byte strings as plain bstr, integer keys kept as integers).
import { Decoder, Encoder, Tag } from 'cbor-x';
import { fail } from './errors.js';

/** Evidence larger than this is refused before any parsing (Nitro documents are about 4.5 KiB). */
const MAX_EVIDENCE_BYTES = 64 * 1024;

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false, copyBuffers: true });
const encoder = new Encoder({
  mapsAsObjects: false,
  useRecords: false,
  tagUint8Array: false,
  variableMapSize: true,
});

export function decodeCbor(bytes: Uint8Array, maxBytes = MAX_EVIDENCE_BYTES): unknown {
  if (bytes.length > maxBytes)
    fail('ERR_EVIDENCE_MALFORMED', `evidence larger than ${maxBytes} bytes`);
  try {
    return decoder.decode(Uint8Array.from(bytes)) as unknown;
  } catch (error) {
    return fail('ERR_EVIDENCE_MALFORMED', `not CBOR: ${(error as Error).message}`);
  }
}

export function encodeCbor(value: unknown): Uint8Array {
  return new Uint8Array(encoder.encode(value));
}

export function isTag(value: unknown): value is Tag {
  return value instanceof Tag;
}

export { Tag };

export function asBytes(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  return fail('ERR_EVIDENCE_MALFORMED', `${what} is not a byte string`);
}

export function asMap(value: unknown, what: string): Map<unknown, unknown> {
  if (value instanceof Map) return value;
  return fail('ERR_EVIDENCE_MALFORMED', `${what} is not a map`);
}

export function asText(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  return fail('ERR_EVIDENCE_MALFORMED', `${what} is not a text string`);
}

export function asInteger(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= 0n)
    return Number(value);
  return fail('ERR_EVIDENCE_MALFORMED', `${what} is not an integer`);
}

/** Optional fields in Nitro documents are present as CBOR null; treat null and absent alike. */
export function optionalBytes(value: unknown, what: string): Uint8Array | undefined {
  return value === null || value === undefined ? undefined : asBytes(value, what);
}
