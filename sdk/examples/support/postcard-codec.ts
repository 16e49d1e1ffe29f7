// Postcard, the serde format Veracruz's examples exchange (docs/guest-programs.md), as a writer and
// a reader over the serde data model's shapes the examples use: unsigned integers are LEB128
// varints (at most 3 bytes for u16, 5 for u32 and wasm32's usize, 10 for u64, the last byte
// bounded), signed integers zigzag varints, f64 8 bytes little-endian, a char or a string its
// UTF-8 bytes after a varint length, a sequence a varint length then its elements, an enum its
// variant index as a varint then its value, tuples, structs and fixed arrays their fields in
// order with no framing. The reader refuses a truncated or overlong value with an Error naming
// the byte.

const LIMITS = { u16: [3, 0x03], u32: [5, 0x0f], u64: [10, 0x01] } as const;
type Width = keyof typeof LIMITS;

/** Builds postcard bytes. */
export class PostcardWriter {
  private readonly bytes: number[] = [];

  /** An unsigned integer of `width`. */
  uint(value: bigint | number, width: Width = 'u32'): this {
    let rest = BigInt(value);
    const max = width === 'u16' ? 0xffffn : width === 'u32' ? 0xffff_ffffn : 0xffff_ffff_ffff_ffffn;
    if (rest < 0n || rest > max) throw new RangeError(`${value} is not a ${width}`);
    while (rest >= 0x80n) {
      this.bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.bytes.push(Number(rest));
    return this;
  }

  /** A signed integer of `width` bits, zigzag-encoded. */
  int(value: bigint | number, bits: 32 | 64): this {
    const v = BigInt(value);
    const zigzag = v < 0n ? (-v << 1n) - 1n : v << 1n;
    return this.uint(zigzag, bits === 32 ? 'u32' : 'u64');
  }

  f64(value: number): this {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.bytes.push(view.getUint8(i));
    return this;
  }

  /** A char or a string: varint length, then UTF-8. */
  str(text: string): this {
    const utf8 = new TextEncoder().encode(text);
    this.uint(utf8.length);
    for (const b of utf8) this.bytes.push(b);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Reads postcard bytes from the start; `end()` checks nothing is left over. */
export class PostcardReader {
  private at = 0;
  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  private byte(): number {
    const b = this.bytes[this.at];
    if (b === undefined) throw new Error(`input ends at byte ${this.at}`);
    this.at++;
    return b;
  }

  uint(width: Width = 'u32'): bigint {
    const [maxBytes, lastMax] = LIMITS[width];
    const start = this.at;
    let out = 0n;
    for (let i = 0; i < maxBytes; i++) {
      const b = this.byte();
      out |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) {
        if (i === maxBytes - 1 && b > lastMax)
          throw new Error(`${width} varint at byte ${start} overflows`);
        return out;
      }
    }
    throw new Error(`${width} varint at byte ${start} is too long`);
  }

  /** A u32 or usize as a number. */
  length(): number {
    return Number(this.uint('u32'));
  }

  int(bits: 32 | 64): bigint {
    const z = this.uint(bits === 32 ? 'u32' : 'u64');
    return z & 1n ? -(z >> 1n) - 1n : z >> 1n;
  }

  f64(): number {
    if (this.at + 8 > this.bytes.length) throw new Error(`input ends in an f64 at byte ${this.at}`);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.at, 8);
    this.at += 8;
    return view.getFloat64(0, true);
  }

  /** A char: exactly one Unicode scalar value. */
  char(): string {
    const start = this.at;
    const length = this.length();
    if (length === 0 || length > 4) throw new Error(`char at byte ${start} has length ${length}`);
    if (this.at + length > this.bytes.length)
      throw new Error(`input ends in a char at byte ${start}`);
    const slice = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(slice);
    } catch {
      throw new Error(`char at byte ${start} is not UTF-8`);
    }
    if ([...text].length !== 1) throw new Error(`char at byte ${start} is not one character`);
    return text;
  }

  /** An enum's variant index, below `count`. */
  variant(count: number, what: string): number {
    const start = this.at;
    const v = this.length();
    if (v >= count) throw new Error(`${what} at byte ${start} has no variant ${v}`);
    return v;
  }

  end(): void {
    if (this.at !== this.bytes.length)
      throw new Error(`${this.bytes.length - this.at} bytes after the value`);
  }
}
