// A minimal FlatBuffers writer and reader, enough for the TensorFlow Lite models the
// tflite-inference-native-mnist generator writes and its reference reads (docs/guest-programs.md#
// the-tflite-model). No `flatbuffers` package is installed, and the format is small:
//
// - Everything is little-endian. A buffer starts with a u32 offset to its root table, then
//   (optionally) a 4-byte file identifier ("TFL3" for TensorFlow Lite).
// - An offset (uoffset, u32) is relative to where it is stored and points forward: the target is
//   at `slot + value`. Tables, vectors and strings are reached only through offsets.
// - A table starts with an i32 `soffset`; its vtable is at `table - soffset`. The vtable is a
//   list of u16: its own size in bytes, the table's inline size in bytes, then one entry per
//   field (in schema order) giving the field's position from the table's start, 0 when absent
//   (a reader then uses the schema's default). A field is a scalar stored inline or a uoffset to
//   a table, vector or string. A union is two fields: its type (u8) and its value (an offset).
// - A vector is a u32 element count then the elements (scalars inline, or uoffsets to tables or
//   strings); a string is a u32 byte count, the UTF-8 bytes and a 0 byte not counted.
// - Every scalar sits at a multiple of its own size from the buffer's start; a vector's elements
//   at a multiple of their size (or of a schema's `force_align`, e.g. 16 for TFLite's buffers).
//
// The official builder writes back to front; this one writes front to back, which is as valid:
// parents come first and their offset slots are patched when each child is placed after them, so
// every offset points forward, and each vtable is placed just before its table.

/** Scalar kinds, by their schema names. */
export type FbScalar = 'bool' | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'f32' | 'i64';

const SIZE: Record<FbScalar, number> = {
  bool: 1,
  i8: 1,
  u8: 1,
  i16: 2,
  u16: 2,
  i32: 4,
  u32: 4,
  f32: 4,
  i64: 8,
};

/** A table, a vector or a string: what an offset can point to. */
export type FbObject =
  | { readonly kind: 'table'; readonly fields: readonly (FbField | undefined)[] }
  | {
      readonly kind: 'scalars';
      readonly element: FbScalar;
      readonly values: readonly (number | bigint)[] | Uint8Array;
      /** The elements' alignment when the schema forces more than their size. */
      readonly align?: number;
    }
  | { readonly kind: 'objects'; readonly values: readonly FbObject[] }
  | { readonly kind: 'string'; readonly text: string };

/** A table field: a scalar stored inline, or an offset to an object. */
export type FbField =
  { readonly kind: 'scalar'; readonly type: FbScalar; readonly value: number | bigint } | FbObject;

/** A table whose field `i` is `fields[i]` (undefined: absent, the schema's default). */
export const fbTable = (fields: readonly (FbField | undefined)[]): FbObject => ({
  kind: 'table',
  fields,
});
export const fbScalar = (type: FbScalar, value: number | bigint): FbField => ({
  kind: 'scalar',
  type,
  value,
});
export const fbScalars = (
  element: FbScalar,
  values: readonly (number | bigint)[] | Uint8Array,
  align?: number,
): FbObject => ({ kind: 'scalars', element, values, ...(align ? { align } : {}) });
export const fbObjects = (values: readonly FbObject[]): FbObject => ({ kind: 'objects', values });
export const fbString = (text: string): FbObject => ({ kind: 'string', text });

/** A growable little-endian byte buffer. */
class Bytes {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  /** Reserves `n` zero bytes at the end, `align`ed from the buffer's start; returns their place. */
  reserve(n: number, align = 1): number {
    const at = Math.ceil(this.length / align) * align;
    if (at + n > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = at + n;
    return at;
  }

  put(at: number, type: FbScalar, value: number | bigint): void {
    const v = this.view;
    switch (type) {
      case 'bool':
      case 'u8':
        v.setUint8(at, Number(value));
        return;
      case 'i8':
        v.setInt8(at, Number(value));
        return;
      case 'i16':
        v.setInt16(at, Number(value), true);
        return;
      case 'u16':
        v.setUint16(at, Number(value), true);
        return;
      case 'i32':
        v.setInt32(at, Number(value), true);
        return;
      case 'u32':
        v.setUint32(at, Number(value), true);
        return;
      case 'f32':
        v.setFloat32(at, Number(value), true);
        return;
      case 'i64':
        v.setBigInt64(at, BigInt(value), true);
        return;
    }
  }

  set(at: number, bytes: Uint8Array): void {
    this.buf.set(bytes, at);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Writes `object` at the end of `out` (then its children), returning where it starts. */
function place(out: Bytes, object: FbObject): number {
  const children: Array<{ slot: number; object: FbObject }> = [];
  let start: number;
  switch (object.kind) {
    case 'string': {
      const utf8 = new TextEncoder().encode(object.text);
      start = out.reserve(4 + utf8.length + 1, 4);
      out.put(start, 'u32', utf8.length);
      out.set(start + 4, utf8);
      break;
    }
    case 'scalars': {
      const size = SIZE[object.element];
      const align = Math.max(4, size, object.align ?? 1);
      // The count sits just before the first element, which must be aligned: pad so that
      // (start + 4) is a multiple of `align`.
      const pad = (align - ((out.length + 4) % align)) % align;
      out.reserve(pad);
      start = out.reserve(4 + size * object.values.length, 4);
      out.put(start, 'u32', object.values.length);
      if (object.values instanceof Uint8Array && size === 1) out.set(start + 4, object.values);
      else
        for (let i = 0; i < object.values.length; i++)
          out.put(start + 4 + i * size, object.element, object.values[i] as number | bigint);
      break;
    }
    case 'objects': {
      start = out.reserve(4 + 4 * object.values.length, 4);
      out.put(start, 'u32', object.values.length);
      object.values.forEach((child, i) =>
        children.push({ slot: start + 4 + i * 4, object: child }),
      );
      break;
    }
    case 'table': {
      // Lay the inline fields out first (their positions from the table's start), so that the
      // vtable, which comes first, can be written in one go.
      const fields = object.fields;
      const vtableSize = 4 + 2 * fields.length;
      const vtable = out.reserve(vtableSize, 2);
      // The table starts 4-aligned after its vtable with its soffset; each field is aligned from
      // the buffer's start, so its padding depends on where the table lands.
      const table = Math.ceil((vtable + vtableSize) / 4) * 4;
      let end = table + 4;
      const at: number[] = [];
      for (const field of fields) {
        if (field === undefined) {
          at.push(0);
          continue;
        }
        const size = field.kind === 'scalar' ? SIZE[field.type] : 4;
        end = Math.ceil(end / size) * size;
        at.push(end - table);
        end += size;
      }
      out.reserve(end - (vtable + vtableSize));
      out.put(vtable, 'u16', vtableSize);
      out.put(vtable + 2, 'u16', end - table);
      at.forEach((offset, i) => out.put(vtable + 4 + 2 * i, 'u16', offset));
      out.put(table, 'i32', table - vtable);
      fields.forEach((field, i) => {
        if (field === undefined) return;
        const slot = table + (at[i] as number);
        if (field.kind === 'scalar') out.put(slot, field.type, field.value);
        else children.push({ slot, object: field });
      });
      start = table;
      break;
    }
  }
  for (const { slot, object: child } of children) {
    const target = place(out, child);
    out.put(slot, 'u32', target - slot);
  }
  return start;
}

/** The buffer of `root` (a table), with a 4-character file identifier after the root offset. */
export function fbFinish(root: FbObject, identifier?: string): Uint8Array {
  if (root.kind !== 'table') throw new Error('a flatbuffer root is a table');
  if (identifier !== undefined && !/^[\x20-\x7e]{4}$/.test(identifier))
    throw new Error(`a file identifier is 4 ASCII characters, not "${identifier}"`);
  const out = new Bytes();
  out.reserve(identifier === undefined ? 4 : 8);
  if (identifier !== undefined) out.set(4, new TextEncoder().encode(identifier));
  out.put(0, 'u32', place(out, root));
  return out.result();
}

// Reading. Every access is bounds-checked, so bytes that are not a flatbuffer of the expected
// shape give a FlatbufferError naming the place, never a wrong value read past the end.

export class FlatbufferError extends Error {}

export class FbReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(at: number, n: number, what: string): void {
    if (!Number.isInteger(at) || at < 0 || at + n > this.bytes.length)
      throw new FlatbufferError(
        `${what} at byte ${at} lies outside the ${this.bytes.length} bytes`,
      );
  }

  scalar(at: number, type: FbScalar, what: string = type): number | bigint {
    this.need(at, SIZE[type], what);
    const v = this.view;
    switch (type) {
      case 'bool':
      case 'u8':
        return v.getUint8(at);
      case 'i8':
        return v.getInt8(at);
      case 'i16':
        return v.getInt16(at, true);
      case 'u16':
        return v.getUint16(at, true);
      case 'i32':
        return v.getInt32(at, true);
      case 'u32':
        return v.getUint32(at, true);
      case 'f32':
        return v.getFloat32(at, true);
      case 'i64':
        return v.getBigInt64(at, true);
    }
  }

  private u32(at: number, what: string): number {
    return this.scalar(at, 'u32', what) as number;
  }

  /** Where the uoffset stored at `slot` points. */
  follow(slot: number, what: string): number {
    return slot + this.u32(slot, `the offset to ${what}`);
  }

  /** The root table, after checking the file identifier when one is given. */
  root(identifier?: string): FbTableReader {
    if (identifier !== undefined) {
      this.need(4, 4, 'the file identifier');
      const got = new TextDecoder('latin1').decode(this.bytes.subarray(4, 8));
      if (got !== identifier)
        throw new FlatbufferError(`file identifier "${got}", not "${identifier}"`);
    }
    return new FbTableReader(this, this.follow(0, 'the root table'), 'the root table');
  }

  /** The element count and the first element's place of the vector at `at`. */
  vector(at: number, elementSize: number, what: string): { count: number; first: number } {
    const count = this.u32(at, `the length of ${what}`);
    this.need(at + 4, count * elementSize, what);
    return { count, first: at + 4 };
  }

  string(at: number, what: string): string {
    const { count, first } = this.vector(at, 1, what);
    this.need(first + count, 1, `the end of ${what}`);
    if (this.bytes[first + count] !== 0) throw new FlatbufferError(`${what} is not 0-terminated`);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(
        this.bytes.subarray(first, first + count),
      );
    } catch {
      throw new FlatbufferError(`${what} is not UTF-8`);
    }
  }
}

/** One table: fields by their index in the schema. */
export class FbTableReader {
  private readonly reader: FbReader;
  private readonly at: number;
  private readonly what: string;
  private readonly vtable: number;
  private readonly vtableSize: number;
  private readonly inlineSize: number;

  constructor(reader: FbReader, at: number, what: string) {
    this.reader = reader;
    this.at = at;
    this.what = what;
    this.vtable = at - (reader.scalar(at, 'i32', `the vtable offset of ${what}`) as number);
    this.vtableSize = reader.scalar(this.vtable, 'u16', `the vtable of ${what}`) as number;
    this.inlineSize = reader.scalar(this.vtable + 2, 'u16', `the vtable of ${what}`) as number;
    if (this.vtableSize < 4 || this.vtableSize % 2 !== 0)
      throw new FlatbufferError(`the vtable of ${what} has a size of ${this.vtableSize}`);
    reader.scalar(this.vtable + this.vtableSize - 2, 'u16', `the vtable of ${what}`);
  }

  /** The field's place in the buffer, or undefined when absent. */
  private slot(field: number, size: number): number | undefined {
    const entry = 4 + 2 * field;
    if (entry >= this.vtableSize) return undefined;
    const offset = this.reader.scalar(this.vtable + entry, 'u16') as number;
    if (offset === 0) return undefined;
    if (offset + size > this.inlineSize)
      throw new FlatbufferError(`field ${field} of ${this.what} lies outside the table`);
    return this.at + offset;
  }

  has(field: number): boolean {
    return this.slot(field, 1) !== undefined;
  }

  scalar(field: number, type: FbScalar, fallback: number): number {
    const slot = this.slot(field, SIZE[type]);
    return slot === undefined ? fallback : Number(this.reader.scalar(slot, type));
  }

  private target(field: number, what: string): number | undefined {
    const slot = this.slot(field, 4);
    return slot === undefined ? undefined : this.reader.follow(slot, what);
  }

  table(field: number, what: string): FbTableReader | undefined {
    const at = this.target(field, what);
    return at === undefined ? undefined : new FbTableReader(this.reader, at, what);
  }

  string(field: number, what: string): string | undefined {
    const at = this.target(field, what);
    return at === undefined ? undefined : this.reader.string(at, what);
  }

  /** A vector of scalars (empty when absent). */
  scalars(field: number, type: FbScalar, what: string): (number | bigint)[] {
    const at = this.target(field, what);
    if (at === undefined) return [];
    const { count, first } = this.reader.vector(at, SIZE[type], what);
    return Array.from({ length: count }, (_, i) =>
      this.reader.scalar(first + i * SIZE[type], type),
    );
  }

  /** A vector of bytes, copied (empty when absent). */
  bytes(field: number, what: string): Uint8Array {
    const at = this.target(field, what);
    if (at === undefined) return new Uint8Array(0);
    const { count, first } = this.reader.vector(at, 1, what);
    return this.reader.bytes.slice(first, first + count);
  }

  /** A vector of tables (empty when absent). */
  tables(field: number, what: string): FbTableReader[] {
    const at = this.target(field, what);
    if (at === undefined) return [];
    const { count, first } = this.reader.vector(at, 4, what);
    return Array.from(
      { length: count },
      (_, i) =>
        new FbTableReader(
          this.reader,
          this.reader.follow(first + 4 * i, `${what}[${i}]`),
          `${what}[${i}]`,
        ),
    );
  }
}
