// Postcard, the serde format Veracruz's examples exchange (docs/guest-programs.md), for the shapes
// they use: a sequence's length is an unsigned LEB128 varint (at most 5 bytes for wasm32's usize),
// f64 is 8 bytes little-endian, a tuple or struct is its fields in order, with no framing.

/** The varint of a sequence length. */
export function postcardLength(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffff_ffff) throw new Error(`bad length ${n}`);
  const out: number[] = [];
  let rest = n;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return new Uint8Array(out);
}

/** f64 values as postcard writes them: 8 little-endian bytes each, one after the other. */
export function postcardF64s(values: readonly number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((value, i) => view.setFloat64(i * 8, value, true));
  return new Uint8Array(view.buffer);
}

/** A `Vec<(f64, f64, ...)>` of `width`-tuples, flattened in `values`. */
export function postcardF64TupleVec(values: readonly number[], width: number): Uint8Array {
  if (values.length % width !== 0) throw new Error(`${values.length} values in ${width}-tuples`);
  const length = postcardLength(values.length / width);
  const body = postcardF64s(values);
  const out = new Uint8Array(length.length + body.length);
  out.set(length);
  out.set(body, length.length);
  return out;
}

/** Decodes a `Vec<(f64, ...)>` of `width`-tuples, exactly (no byte missing, none left over). */
export function readPostcardF64TupleVec(bytes: Uint8Array, width: number): number[] {
  let count = 0;
  let at = 0;
  for (let shift = 1; ; shift *= 0x80) {
    const byte = bytes[at];
    if (byte === undefined || at === 5) throw new Error('bad postcard length');
    count += (byte & 0x7f) * shift;
    at++;
    if (byte < 0x80) break;
  }
  if (bytes.length - at !== count * width * 8) throw new Error('postcard body of the wrong size');
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, bytes.byteLength - at);
  return Array.from({ length: count * width }, (_, i) => view.getFloat64(i * 8, true));
}

/** An unsigned integer (u16, u32, u64, usize) as postcard writes it: a LEB128 varint. */
export function postcardVarint(value: bigint): Uint8Array {
  if (value < 0n || value >= 2n ** 64n) throw new Error(`bad u64 ${value}`);
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return new Uint8Array(out);
}

/** Reads postcard varints one after another, exactly (`done` fails on bytes left over). */
export class PostcardReader {
  private at = 0;
  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  varint(): bigint {
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      const byte = this.bytes[this.at++];
      if (byte === undefined) throw new Error('postcard varint cut short');
      value |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if (byte < 0x80) return value;
    }
    throw new Error('postcard varint too long');
  }

  done(): void {
    if (this.at !== this.bytes.length) throw new Error('bytes left over after the postcard value');
  }
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A String as postcard writes it: its UTF-8 length as a varint, then the bytes. */
export function postcardString(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  return concat([postcardLength(bytes.length), bytes]);
}
