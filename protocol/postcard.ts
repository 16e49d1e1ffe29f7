// The postcard wire format (the Rust `postcard` crate, 1.x), the one codec of the project: Veracruz's
// native module requests (docs/policy.md#native-modules) and its examples' inputs and outputs
// (docs/guest-programs.md) both go through it. Unsigned integers are LEB128 varints (at most 3
// bytes for u16, 5 for u32 and wasm32's usize, 10 for u64, the last byte bounded), signed ones
// zigzag-encoded first, u8 and bool one byte, f32 4 and f64 8 little-endian bytes, strings, paths
// and chars a varint length and UTF-8, sequences a varint count then their elements, fixed-size
// arrays, tuples and structs their elements in order with no framing, enum variants a varint index
// then the value. A reader that runs out of bytes throws PostcardIncomplete (more may still come);
// any other defect is PostcardMalformed. Both messages name the byte where the value went wrong.

/** The bytes end before the value does: a request written in several pieces is not complete yet. */
export class PostcardIncomplete extends Error {
  constructor(at?: number) {
    super(
      at === undefined
        ? 'postcard: the bytes end inside a value'
        : `postcard: input ends at byte ${at}, inside a value`,
    );
  }
}

/** The bytes cannot be the value asked for. */
export class PostcardMalformed extends Error {}

type Bits = 16 | 32 | 64;

// ignoreBOM: a string that starts with U+FEFF keeps it (the default would drop it).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class PostcardReader {
  private at = 0;
  private readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  get done(): boolean {
    return this.at === this.bytes.length;
  }

  /** Fails unless every byte was read (postcard's `from_bytes` leaves trailing bytes unread). */
  end(): void {
    if (!this.done)
      throw new PostcardMalformed(
        `postcard: ${this.bytes.length - this.at} bytes after the value (from byte ${this.at})`,
      );
  }

  u8(): number {
    if (this.at >= this.bytes.length) throw new PostcardIncomplete(this.at);
    return this.bytes[this.at++] as number;
  }

  take(length: number): Uint8Array {
    if (this.at + length > this.bytes.length) throw new PostcardIncomplete(this.bytes.length);
    const out = this.bytes.slice(this.at, this.at + length);
    this.at += length;
    return out;
  }

  bool(): boolean {
    const start = this.at;
    const byte = this.u8();
    if (byte > 1) throw new PostcardMalformed(`postcard: ${byte} at byte ${start} is not a bool`);
    return byte === 1;
  }

  /** An unsigned varint of at most `bits` bits. */
  varint(bits: Bits): bigint {
    const start = this.at;
    let value = 0n;
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; i < maxBytes; i++) {
      const byte = this.u8();
      value |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) {
        if (value >> BigInt(bits) !== 0n)
          throw new PostcardMalformed(`postcard: u${bits} varint at byte ${start} overflows`);
        return value;
      }
    }
    throw new PostcardMalformed(`postcard: u${bits} varint at byte ${start} is too long`);
  }

  /** A zigzag-encoded signed varint. */
  signed(bits: Bits): bigint {
    const raw = this.varint(bits);
    return (raw >> 1n) ^ -(raw & 1n);
  }

  /** A length or count (usize on wasm32): at most 2^32 - 1. */
  length(): number {
    return Number(this.varint(32));
  }

  /** An enum's variant index, below `count`; `what` names the enum in the message. */
  variant(count: number, what: string): number {
    const start = this.at;
    const v = this.length();
    if (v >= count)
      throw new PostcardMalformed(`postcard: ${what} at byte ${start} has no variant ${v}`);
    return v;
  }

  f64(): number {
    const bytes = this.take(8);
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
  }

  /** `count` f64 values one after another (a fixed array, or a sequence's body). */
  f64s(count: number): number[] {
    if (this.at + count * 8 > this.bytes.length) throw new PostcardIncomplete(this.bytes.length);
    return Array.from({ length: count }, () => this.f64());
  }

  bytesField(): Uint8Array {
    return this.take(this.length());
  }

  string(): string {
    const start = this.at;
    const bytes = this.bytesField();
    try {
      return utf8.decode(bytes);
    } catch {
      throw new PostcardMalformed(`postcard: the string at byte ${start} is not UTF-8`);
    }
  }

  /** A Rust `char`: a string holding exactly one Unicode scalar value. */
  char(): string {
    const start = this.at;
    let text: string;
    try {
      text = this.string();
    } catch (e) {
      if (e instanceof PostcardMalformed)
        throw new PostcardMalformed(`postcard: the char at byte ${start} is not UTF-8`);
      throw e;
    }
    if ([...text].length !== 1)
      throw new PostcardMalformed(`postcard: the char at byte ${start} is not one character`);
    return text;
  }
}

export class PostcardWriter {
  private readonly parts: number[] = [];

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  raw(bytes: Uint8Array): this {
    for (const b of bytes) this.parts.push(b);
    return this;
  }

  u8(value: number): this {
    this.parts.push(value & 0xff);
    return this;
  }

  bool(value: boolean): this {
    return this.u8(value ? 1 : 0);
  }

  /** An unsigned integer; with `bits`, refused unless it fits u16/u32/u64. */
  varint(value: bigint | number, bits: Bits = 64): this {
    let v = BigInt(value);
    if (v < 0n || v >> BigInt(bits) !== 0n) throw new RangeError(`${value} is not a u${bits}`);
    do {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      this.parts.push(v === 0n ? byte : byte | 0x80);
    } while (v !== 0n);
    return this;
  }

  signed(value: bigint | number, bits: Bits): this {
    const v = BigInt(value);
    return this.varint(BigInt.asUintN(bits, (v << 1n) ^ (v >> BigInt(bits - 1))), bits);
  }

  /** An f32: `value` rounded to float32, 4 little-endian bytes. */
  f32(value: number): this {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    return this.raw(new Uint8Array(view.buffer));
  }

  f64(value: number): this {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value, true);
    return this.raw(new Uint8Array(view.buffer));
  }

  /** f64 values one after another (a fixed array, or a sequence's body after its length). */
  f64s(values: readonly number[]): this {
    for (const value of values) this.f64(value);
    return this;
  }

  string(text: string): this {
    const bytes = new TextEncoder().encode(text);
    return this.varint(bytes.length, 32).raw(bytes);
  }

  bytesField(bytes: Uint8Array): this {
    return this.varint(bytes.length, 32).raw(bytes);
  }
}

/** A `Vec<(f64, f64, ...)>` of `width`-tuples, flattened in `values`. */
export function postcardF64TupleVec(values: readonly number[], width: number): Uint8Array {
  if (values.length % width !== 0)
    throw new RangeError(`${values.length} values in ${width}-tuples`);
  return new PostcardWriter()
    .varint(values.length / width, 32)
    .f64s(values)
    .bytes();
}

/** Decodes a `Vec<(f64, ...)>` of `width`-tuples, exactly (no byte missing, none left over). */
export function readPostcardF64TupleVec(bytes: Uint8Array, width: number): number[] {
  const r = new PostcardReader(bytes);
  const values = r.f64s(r.length() * width);
  r.end();
  return values;
}

/** f64 values as postcard writes them: 8 little-endian bytes each, one after the other. */
export const postcardF64s = (values: readonly number[]): Uint8Array =>
  new PostcardWriter().f64s(values).bytes();

/** An unsigned integer (u16, u32, u64) as postcard writes it. */
export const postcardVarint = (value: bigint | number): Uint8Array =>
  new PostcardWriter().varint(value).bytes();

/** A sequence's length (usize on wasm32) as postcard writes it. */
export const postcardLength = (n: number): Uint8Array => new PostcardWriter().varint(n, 32).bytes();

/** A String as postcard writes it: its UTF-8 length as a varint, then the bytes. */
export const postcardString = (text: string): Uint8Array =>
  new PostcardWriter().string(text).bytes();
