// Input of postcard-native: /input/postcard.dat, Veracruz's postcard generator format: a postcard
// `Vec<Struct3>` of `size` records drawn from the seed as that generator draws them (f64 in [0, 1),
// full-range integers, any Unicode scalar as a char, a random Enum1 variant; e1 is always ENUM2_1,
// e2 ENUM2_2 and e3 ENUM2_3). The types are in docs/guest-programs.md (postcard-native).
import { PostcardWriter } from '../../../protocol/index.js';
import { createRng, type Rng } from '../support/prng.js';
import { files, type ExampleRun } from '../support/types.js';

const u64 = (rng: Rng): bigint => (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
const i64 = (rng: Rng): bigint => BigInt.asIntN(64, u64(rng));
/** 53 random bits in [0, 1), as Rust's rand draws an f64. */
const f64 = (rng: Rng): number => ((rng.u32() >>> 5) * 2 ** 26 + (rng.u32() >>> 6)) / 2 ** 53;

function char(rng: Rng): string {
  // A Unicode scalar value: 0..=0x10FFFF without the surrogates.
  const n = rng.below(0x110000 - 0x800);
  return String.fromCodePoint(n < 0xd800 ? n : n + 0x800);
}

function enum1(w: PostcardWriter, rng: Rng): void {
  const variant = rng.below(4);
  w.varint(variant);
  if (variant === 0) w.varint(rng.u32());
  else if (variant === 1) w.signed(i64(rng), 64);
  else if (variant === 2) w.string(char(rng));
  else for (let i = 0; i < 11; i++) w.string(char(rng));
}

function struct3(w: PostcardWriter, rng: Rng): void {
  w.varint(0); // e1: ENUM2_1(Struct2)
  for (let i = 0; i < 3; i++) w.varint(u64(rng));
  for (let i = 0; i < 3; i++) w.f64(f64(rng));
  for (let i = 0; i < 3; i++) w.signed(i64(rng), 64);
  for (let i = 0; i < 3; i++) w.string(char(rng));
  enum1(w, rng);
  for (let i = 0; i < 7; i++) w.varint(rng.below(65536));
  for (let i = 0; i < 13; i++) w.signed(rng.u32() | 0, 32);
  enum1(w, rng);
  w.varint(1); // e2: ENUM2_2([u16; 5])
  for (let i = 0; i < 5; i++) w.varint(rng.below(65536));
  w.varint(2).varint(rng.below(65536)); // e3: ENUM2_3(u16)
}

/** The postcard bytes of `size` generated records. */
export function postcardRecords(seed: number, size: number): Uint8Array {
  const rng = createRng(seed);
  const w = new PostcardWriter().varint(size);
  for (let i = 0; i < size; i++) struct3(w, rng);
  return w.bytes();
}

export function generate(seed: number, size: number): ExampleRun {
  return { files: files([['/input/postcard.dat', postcardRecords(seed, size)]]) };
}
