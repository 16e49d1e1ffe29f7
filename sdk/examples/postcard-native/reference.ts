// Reference for postcard-native: the JSON serde_json writes for the postcard Vec<Struct3> in
// /input/postcard.dat, by a walk over a description of the types (the service walks them by hand).
// postcard-wasm's reference is the same conversion.
import { PostcardReader, jsonString, ryuF64 } from '../../../protocol/index.js';
import { files, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

type Shape =
  | 'u16'
  | 'u32'
  | 'u64'
  | 'i32'
  | 'i64'
  | 'f64'
  | 'char'
  | { readonly array: Shape; readonly length: number }
  | { readonly struct: ReadonlyArray<readonly [string, Shape]> }
  | { readonly enum: string; readonly variants: ReadonlyArray<readonly [string, Shape]> };

const ENUM1: Shape = {
  enum: 'Enum1',
  variants: [
    ['ENUM1_1', 'u32'],
    ['ENUM1_2', 'i64'],
    ['ENUM1_3', 'char'],
    ['ENUM1_4', { array: 'char', length: 11 }],
  ],
};
const STRUCT1: Shape = {
  struct: [
    ['f1', 'f64'],
    ['f2', 'f64'],
    ['f3', 'f64'],
    ['i1', 'i64'],
    ['i2', 'i64'],
    ['i3', 'i64'],
    ['c1', 'char'],
    ['c2', 'char'],
    ['c3', 'char'],
    ['e1', ENUM1],
  ],
};
const STRUCT2: Shape = {
  struct: [
    ['u1', 'u64'],
    ['u2', 'u64'],
    ['u3', 'u64'],
    ['t1', STRUCT1],
    ['array1', { array: 'u16', length: 7 }],
    ['array2', { array: 'i32', length: 13 }],
    ['e1', ENUM1],
  ],
};
const ENUM2: Shape = {
  enum: 'Enum2',
  variants: [
    ['ENUM2_1', STRUCT2],
    ['ENUM2_2', { array: 'u16', length: 5 }],
    ['ENUM2_3', 'u16'],
  ],
};
const STRUCT3: Shape = {
  struct: [
    ['e1', ENUM2],
    ['e2', ENUM2],
    ['e3', ENUM2],
  ],
};

function json(r: PostcardReader, shape: Shape): string {
  switch (shape) {
    case 'u16':
      return r.varint(16).toString();
    case 'u32':
      return r.varint(32).toString();
    case 'u64':
      return r.varint(64).toString();
    case 'i32':
      return r.signed(32).toString();
    case 'i64':
      return r.signed(64).toString();
    case 'f64':
      return ryuF64(r.f64());
    case 'char':
      return jsonString(r.char());
  }
  if ('array' in shape)
    return `[${Array.from({ length: shape.length }, () => json(r, shape.array)).join(',')}]`;
  if ('struct' in shape)
    return `{${shape.struct.map(([name, field]) => `"${name}":${json(r, field)}`).join(',')}}`;
  const [name, inner] = shape.variants[r.variant(shape.variants.length, shape.enum)] ?? [];
  if (name === undefined || inner === undefined) throw new Error('unreachable');
  return `{"${name}":${json(r, inner)}}`;
}

/** The JSON text serde_json writes for a postcard `Vec<Struct3>`; throws on a wrong shape. */
export function postcardJson(bytes: Uint8Array): string {
  const r = new PostcardReader(bytes);
  const items = Array.from({ length: r.length() }, () => json(r, STRUCT3));
  r.end();
  return `[${items.join(',')}]`;
}

export function reference(run: ExampleRun): GuestFiles {
  const input = need(run, '/input/postcard.dat');
  return files([['/output/postcard_native.txt', utf8(postcardJson(input))]]);
}
