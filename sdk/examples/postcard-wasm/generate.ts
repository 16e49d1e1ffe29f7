// Seeded data for postcard-wasm: a postcard `Vec<Struct3>` of `size` values of Veracruz's made-up
// types (main.rs), drawn as Veracruz's postcard generator draws them (uniform f64 in [0, 1),
// integers over their whole range, any Unicode scalar value as a char, an Enum1 variant at
// random), plus now and then an f64 that exercises serde_json's other layouts (zero, negative,
// integral, very small, very large, not finite).
import { createRng, type Rng } from '../support/prng.js';
import { PostcardWriter } from '../../../protocol/index.js';
import { files, type ExampleRun } from '../support/types.js';

export const POSTCARD_INPUT = '/input/postcard.dat';

const SPECIAL_F64 = [
  0,
  -0,
  1,
  -2.5,
  1e16,
  1.5e16,
  123456789012345680,
  1e-5,
  1.25e-6,
  5e-324,
  1.7976931348623157e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -1e-7,
];

const u64 = (rng: Rng): bigint => (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
const i64 = (rng: Rng): bigint => BigInt.asIntN(64, u64(rng));

function f64(rng: Rng): number {
  if (rng.below(16) === 0) return rng.pick(SPECIAL_F64);
  // 53 random bits, as rand's `gen::<f64>()`.
  return ((rng.u32() >>> 6) * 2 ** 27 + (rng.u32() >>> 5)) / 2 ** 53;
}

function char(rng: Rng): string {
  // Mostly ASCII (with its control characters and JSON's escapes), else any scalar value.
  if (rng.below(4) === 0) return String.fromCodePoint(rng.below(0x80));
  const code = rng.below(0x110000 - 0x800);
  return String.fromCodePoint(code < 0xd800 ? code : code + 0x800);
}

function enum1(w: PostcardWriter, rng: Rng): void {
  const variant = rng.below(4);
  w.varint(variant, 32);
  if (variant === 0) w.varint(rng.u32(), 32);
  else if (variant === 1) w.signed(i64(rng), 64);
  else if (variant === 2) w.string(char(rng));
  else for (let i = 0; i < 11; i++) w.string(char(rng));
}

function struct3(w: PostcardWriter, rng: Rng): void {
  // e1: ENUM2_1(Struct2)
  w.varint(0, 32);
  for (let i = 0; i < 3; i++) w.varint(u64(rng), 64);
  for (let i = 0; i < 3; i++) w.f64(f64(rng));
  for (let i = 0; i < 3; i++) w.signed(i64(rng), 64);
  for (let i = 0; i < 3; i++) w.string(char(rng));
  enum1(w, rng);
  for (let i = 0; i < 7; i++) w.varint(rng.below(0x10000), 16);
  for (let i = 0; i < 13; i++) w.signed(rng.u32() | 0, 32);
  enum1(w, rng);
  // e2: ENUM2_2([u16; 5])
  w.varint(1, 32);
  for (let i = 0; i < 5; i++) w.varint(rng.below(0x10000), 16);
  // e3: ENUM2_3(u16)
  w.varint(2, 32).varint(rng.below(0x10000), 16);
}

/** The postcard bytes of `size` random Struct3 values. */
function postcardStructs(seed: number, size: number): Uint8Array {
  const rng = createRng(seed);
  const w = new PostcardWriter().varint(size, 32);
  for (let i = 0; i < size; i++) struct3(w, rng);
  return w.bytes();
}

export function generate(seed: number, size: number): ExampleRun {
  return { files: files([[POSTCARD_INPUT, postcardStructs(seed, size)]]) };
}
