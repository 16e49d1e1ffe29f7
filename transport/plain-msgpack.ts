// The one msgpack configuration used for everything that crosses the wire: plain msgpack only.
// Decoding always runs `scanMsgpack` first (size, depth, no extension types), then msgpackr with
// records, structures and extensions off; encoding refuses values that would need an extension
// (Date, Map keys that are not strings, Set, RegExp, BigInt beyond int64...) by scanning its own
// output, so we never emit what we would refuse to read.
import { Packr, Unpackr } from 'msgpackr';
import { scanMsgpack, type DecodeLimits } from './msgpack-scan.js';
import { TransportError } from './errors.js';

export type { DecodeLimits };

/** Limits for a message body or envelope unless the caller gives its own. */
export const defaultLimits: DecodeLimits = { maxBytes: 8 * 1024 * 1024, maxDepth: 32 };

// msgpackr's typings lack 'auto' (small int64 as number, larger as bigint), which it implements
type Int64Option = { int64AsType: 'bigint' };
// (integers beyond 2^53 arrive as bigint; body schemas for integers refuse them)
const int64Auto = { int64AsType: 'auto' } as unknown as Int64Option;

const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  ...int64Auto,
  moreTypes: false,
});

const packr = new Packr({
  useRecords: false,
  variableMapSize: true,
  moreTypes: false,
  ...int64Auto,
});

/** Scans then decodes untrusted bytes. Throws typed `TransportError`s, never msgpackr's. */
export function decodePlain(bytes: Uint8Array, limits: DecodeLimits = defaultLimits): unknown {
  scanMsgpack(bytes, limits);
  return unpackChecked(bytes);
}

/** Decodes bytes that `scanMsgpack` has already accepted. */
export function unpackChecked(bytes: Uint8Array): unknown {
  try {
    // a plain Uint8Array view, so `bin` values decode as Uint8Array (not Buffer) everywhere
    return unpackr.unpack(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (cause) {
    // the scan accepts only well-formed plain msgpack, so this is a defect or invalid UTF-8
    throw new TransportError('ERR_ENVELOPE_MALFORMED', 'msgpack value could not be decoded', {
      cause,
    });
  }
}

/** Encodes a value as plain msgpack; refuses values that would need an extension type. */
export function encodePlain(value: unknown, limits: DecodeLimits = defaultLimits): Uint8Array {
  assertPlain(value, 0, limits.maxDepth);
  let bytes: Uint8Array;
  try {
    bytes = packr.pack(value);
  } catch (cause) {
    throw new TransportError('ERR_ENVELOPE_MALFORMED', 'value cannot be encoded as msgpack', {
      cause,
    });
  }
  scanMsgpack(bytes, limits);
  return bytes;
}

function notPlain(what: string): TransportError {
  return new TransportError(
    'ERR_ENVELOPE_MALFORMED',
    `value cannot be encoded as plain msgpack: ${what}`,
  );
}

/** Only null, booleans, numbers, strings, Uint8Array, arrays and plain objects are encodable. */
function assertPlain(value: unknown, depth: number, maxDepth: number): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number' || value instanceof Uint8Array) return;
  if (typeof value !== 'object') throw notPlain(typeof value);
  if (depth + 1 > maxDepth) {
    throw new TransportError('ERR_ENVELOPE_TOO_DEEP', 'value nests deeper than the maximum depth');
  }
  if (Array.isArray(value)) {
    for (const item of value) assertPlain(item, depth + 1, maxDepth);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null)
    throw notPlain(value.constructor?.name ?? 'object');
  for (const item of Object.values(value)) assertPlain(item, depth + 1, maxDepth);
}
