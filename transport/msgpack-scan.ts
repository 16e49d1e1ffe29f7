// A pre-scan of untrusted msgpack bytes, run before msgpackr ever sees them. It walks the structure
// iteratively (no recursion, so 10,000 levels cannot exhaust the stack) and refuses: inputs over
// the size limit, declared lengths or counts beyond the limit or beyond the bytes present,
// nesting beyond the depth limit, every extension type (fixext 1..16, ext 8/16/32: msgpackr's
// records, RegExp, Error, Set, BigInt, typed arrays and the timestamp extension all live there),
// the never-used byte 0xc1, non-string map keys and trailing bytes. What passes is plain msgpack
// (nil, bool, int, float, str, bin, array, map with string keys) that msgpackr decodes without
// any of its extensions.
import { TransportError } from './errors.js';

export interface DecodeLimits {
  /** Maximum input size in bytes (and maximum declared length of any str/bin/array/map). */
  readonly maxBytes: number;
  /** Maximum container nesting; a scalar at top level has depth 0, `[1]` has depth 1. */
  readonly maxDepth: number;
}

/** Byte range of one item inside the scanned input. */
export interface ItemSpan {
  readonly start: number;
  readonly end: number;
}

interface Frame {
  remaining: number;
  readonly isMap: boolean;
  readonly start: number;
}

/**
 * Validates `bytes` as exactly one plain msgpack value within `limits`. Returns the spans of the
 * root container's direct children (keys and values alternate for a map), for callers that need
 * to slice exact bytes (the envelope signature).
 */
export function scanMsgpack(bytes: Uint8Array, limits: DecodeLimits): ItemSpan[] {
  if (bytes.length > limits.maxBytes) {
    throw new TransportError('ERR_ENVELOPE_TOO_LARGE', 'input exceeds the maximum size', {
      details: { size: bytes.length, max: limits.maxBytes },
    });
  }
  const reader = new Reader(bytes, limits);
  const stack: Frame[] = [];
  const children: ItemSpan[] = [];
  do {
    const parent = stack[stack.length - 1];
    const isKey = parent !== undefined && parent.isMap && parent.remaining % 2 === 0;
    if (parent) parent.remaining--;
    const start = reader.pos;
    const container = reader.item(isKey);
    if (container && stack.length + 1 > limits.maxDepth) {
      throw new TransportError('ERR_ENVELOPE_TOO_DEEP', 'nesting exceeds the maximum depth', {
        details: { max: limits.maxDepth },
      });
    }
    if (container && container.count > 0) {
      stack.push({ remaining: container.count, isMap: container.isMap, start });
      continue;
    }
    if (stack.length === 1) children.push({ start, end: reader.pos });
    // close every container whose last item this was
    while (stack.length > 0 && (stack[stack.length - 1] as Frame).remaining === 0) {
      const done = stack.pop() as Frame;
      if (stack.length === 1) children.push({ start: done.start, end: reader.pos });
    }
  } while (stack.length > 0);
  if (reader.pos !== bytes.length) {
    throw new TransportError('ERR_ENVELOPE_MALFORMED', 'trailing bytes after the value', {
      details: { at: reader.pos },
    });
  }
  return children;
}

class Reader {
  pos = 0;
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  private readonly limits: DecodeLimits;
  constructor(bytes: Uint8Array, limits: DecodeLimits) {
    this.bytes = bytes;
    this.limits = limits;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Consumes one item header (and a scalar's payload); returns a container's entry count. */
  item(isKey: boolean): { count: number; isMap: boolean } | undefined {
    const at = this.pos;
    const b = this.u(1);
    if (isKey && !isStringToken(b)) {
      throw malformed('map key is not a string', at);
    }
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) return undefined;
    if (b >= 0x80 && b <= 0x8f) return this.container(b - 0x80, true);
    if (b >= 0x90 && b <= 0x9f) return this.container(b - 0x90, false);
    if (b >= 0xa0 && b <= 0xbf) return this.skip(b - 0xa0);
    switch (b) {
      case 0xc4:
      case 0xd9:
        return this.skip(this.u(1));
      case 0xc5:
      case 0xda:
        return this.skip(this.u(2));
      case 0xc6:
      case 0xdb:
        return this.skip(this.u(4));
      case 0xca:
        return this.skip(4);
      case 0xcb:
        return this.skip(8);
      case 0xcc:
      case 0xd0:
        return this.skip(1);
      case 0xcd:
      case 0xd1:
        return this.skip(2);
      case 0xce:
      case 0xd2:
        return this.skip(4);
      case 0xcf:
      case 0xd3:
        return this.skip(8);
      case 0xdc:
        return this.container(this.u(2), false);
      case 0xdd:
        return this.container(this.u(4), false);
      case 0xde:
        return this.container(this.u(2), true);
      case 0xdf:
        return this.container(this.u(4), true);
      case 0xc7:
      case 0xc8:
      case 0xc9:
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        throw new TransportError(
          'ERR_ENVELOPE_EXTENSION_TYPE',
          'msgpack extension types are refused',
          {
            details: { at, token: b },
          },
        );
      default:
        throw malformed('byte 0xc1 is never used in msgpack', at);
    }
  }

  private container(count: number, isMap: boolean): { count: number; isMap: boolean } {
    const items = isMap ? count * 2 : count;
    this.declared(items);
    return { count: items, isMap };
  }

  private skip(length: number): undefined {
    this.declared(length);
    this.pos += length;
    return undefined;
  }

  /** A declared length (bytes, or items of at least one byte each) must fit in what is left. */
  private declared(length: number): void {
    if (length > this.limits.maxBytes) {
      throw new TransportError(
        'ERR_ENVELOPE_TOO_LARGE',
        'declared length exceeds the maximum size',
        {
          details: { declared: length, max: this.limits.maxBytes },
        },
      );
    }
    if (length > this.bytes.length - this.pos) {
      throw new TransportError('ERR_ENVELOPE_TRUNCATED', 'input ends before the declared length', {
        details: { declared: length, available: this.bytes.length - this.pos },
      });
    }
  }

  private u(size: 1 | 2 | 4): number {
    if (this.pos + size > this.bytes.length) {
      throw new TransportError('ERR_ENVELOPE_TRUNCATED', 'input ends inside an item header', {
        details: { at: this.pos },
      });
    }
    const v =
      size === 1
        ? this.view.getUint8(this.pos)
        : size === 2
          ? this.view.getUint16(this.pos)
          : this.view.getUint32(this.pos);
    this.pos += size;
    return v;
  }
}

function isStringToken(b: number): boolean {
  return (b >= 0xa0 && b <= 0xbf) || b === 0xd9 || b === 0xda || b === 0xdb;
}

function malformed(message: string, at: number): TransportError {
  return new TransportError('ERR_ENVELOPE_MALFORMED', message, { details: { at } });
}
