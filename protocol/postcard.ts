// The postcard wire format (the Rust `postcard` crate, 1.x) as far as Veracruz's native module
// requests need it: unsigned integers as LEB128 varints, signed ones zigzag-encoded first, u8 and
// bool as one byte, f64 as 8 little-endian bytes, strings, paths and chars as a varint length and
// UTF-8, sequences as a varint count, fixed-size arrays and structs as their elements in order, enum
// variants as a varint index. A reader that runs out of bytes throws PostcardIncomplete (more may
// still come); any other defect is PostcardMalformed. docs/policy.md#native-modules (the requests) and docs/guest-programs.md (postcard-native).

/** The bytes end before the value does: a request written in several pieces is not complete yet. */
export class PostcardIncomplete extends Error {
  constructor() {
    super('postcard: the bytes end inside a value');
  }
}

/** The bytes cannot be the value asked for. */
export class PostcardMalformed extends Error {}

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
      throw new PostcardMalformed(`postcard: ${this.bytes.length - this.at} trailing bytes`);
  }

  u8(): number {
    if (this.at >= this.bytes.length) throw new PostcardIncomplete();
    return this.bytes[this.at++] as number;
  }

  take(length: number): Uint8Array {
    if (this.at + length > this.bytes.length) throw new PostcardIncomplete();
    const out = this.bytes.slice(this.at, this.at + length);
    this.at += length;
    return out;
  }

  bool(): boolean {
    const byte = this.u8();
    if (byte > 1) throw new PostcardMalformed(`postcard: ${byte} is not a bool`);
    return byte === 1;
  }

  /** An unsigned varint of at most `bits` bits. */
  varint(bits: 16 | 32 | 64): bigint {
    let value = 0n;
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; i < maxBytes; i++) {
      const byte = this.u8();
      value |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) {
        if (value >> BigInt(bits) !== 0n)
          throw new PostcardMalformed(`postcard: varint wider than ${bits} bits`);
        return value;
      }
    }
    throw new PostcardMalformed(`postcard: varint longer than ${maxBytes} bytes`);
  }

  /** A zigzag-encoded signed varint. */
  signed(bits: 16 | 32 | 64): bigint {
    const raw = this.varint(bits);
    return (raw >> 1n) ^ -(raw & 1n);
  }

  /** A length or count (usize): at most 2^32 - 1 here, and never more than the bytes left. */
  length(): number {
    const n = Number(this.varint(32));
    return n;
  }

  f64(): number {
    const bytes = this.take(8);
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
  }

  bytesField(): Uint8Array {
    return this.take(this.length());
  }

  string(): string {
    const bytes = this.bytesField();
    try {
      return utf8.decode(bytes);
    } catch {
      throw new PostcardMalformed('postcard: a string is not UTF-8');
    }
  }

  /** A Rust `char`: a string holding exactly one Unicode scalar value. */
  char(): string {
    const text = this.string();
    if ([...text].length !== 1) throw new PostcardMalformed('postcard: a char is not one scalar');
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

  varint(value: bigint | number): this {
    let v = BigInt(value);
    do {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      this.parts.push(v === 0n ? byte : byte | 0x80);
    } while (v !== 0n);
    return this;
  }

  signed(value: bigint | number, bits: 16 | 32 | 64): this {
    const v = BigInt(value);
    return this.varint(BigInt.asUintN(bits, (v << 1n) ^ (v >> BigInt(bits - 1))));
  }

  f64(value: number): this {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value, true);
    return this.raw(new Uint8Array(view.buffer));
  }

  string(text: string): this {
    const bytes = new TextEncoder().encode(text);
    return this.varint(bytes.length).raw(bytes);
  }

  bytesField(bytes: Uint8Array): this {
    return this.varint(bytes.length).raw(bytes);
  }
}
