// Veracruz's Postcard service (execution-engine native_modules/postcard.rs): its request is a
// postcard `Vec<Struct3>` of made-up types, its answer that vector as serde_json writes it (compact,
// structs as objects in field order, enums externally tagged, chars as strings, f64 as Rust's `ryu`
// prints it). The types, field for field, are in docs/guest-programs.md (postcard-native).
import { PostcardMalformed, PostcardReader, jsonString, ryuF64 } from '../../protocol/index.js';

type Json = string; // already-serialised JSON text

const object = (fields: ReadonlyArray<readonly [string, Json]>): Json =>
  `{${fields.map(([k, v]) => `${jsonString(k)}:${v}`).join(',')}}`;
const array = (items: readonly Json[]): Json => `[${items.join(',')}]`;
const times = (n: number, read: () => Json): Json[] => Array.from({ length: n }, read);

function enum1(r: PostcardReader): Json {
  const variant = r.varint(32);
  switch (variant) {
    case 0n:
      return object([['ENUM1_1', r.varint(32).toString()]]);
    case 1n:
      return object([['ENUM1_2', r.signed(64).toString()]]);
    case 2n:
      return object([['ENUM1_3', jsonString(r.char())]]);
    case 3n:
      return object([['ENUM1_4', array(times(11, () => jsonString(r.char())))]]);
    default:
      throw new PostcardMalformed(`postcard: Enum1 has no variant ${variant}`);
  }
}

function struct1(r: PostcardReader): Json {
  return object([
    ['f1', ryuF64(r.f64())],
    ['f2', ryuF64(r.f64())],
    ['f3', ryuF64(r.f64())],
    ['i1', r.signed(64).toString()],
    ['i2', r.signed(64).toString()],
    ['i3', r.signed(64).toString()],
    ['c1', jsonString(r.char())],
    ['c2', jsonString(r.char())],
    ['c3', jsonString(r.char())],
    ['e1', enum1(r)],
  ]);
}

function struct2(r: PostcardReader): Json {
  return object([
    ['u1', r.varint(64).toString()],
    ['u2', r.varint(64).toString()],
    ['u3', r.varint(64).toString()],
    ['t1', struct1(r)],
    ['array1', array(times(7, () => r.varint(16).toString()))],
    ['array2', array(times(13, () => r.signed(32).toString()))],
    ['e1', enum1(r)],
  ]);
}

function enum2(r: PostcardReader): Json {
  const variant = r.varint(32);
  switch (variant) {
    case 0n:
      return object([['ENUM2_1', struct2(r)]]);
    case 1n:
      return object([['ENUM2_2', array(times(5, () => r.varint(16).toString()))]]);
    case 2n:
      return object([['ENUM2_3', r.varint(16).toString()]]);
    default:
      throw new PostcardMalformed(`postcard: Enum2 has no variant ${variant}`);
  }
}

/**
 * The JSON text serde_json writes for the postcard `Vec<Struct3>` in `bytes`. Throws
 * PostcardIncomplete when the bytes stop early, PostcardMalformed when they cannot be that type.
 */
export function postcardStructsToJson(bytes: Uint8Array): string {
  const r = new PostcardReader(bytes);
  const count = r.length();
  const items: Json[] = [];
  for (let i = 0; i < count; i++)
    items.push(
      object([
        ['e1', enum2(r)],
        ['e2', enum2(r)],
        ['e3', enum2(r)],
      ]),
    );
  r.end();
  return array(items);
}
