// Seeded data for file-seek: a text file of `size` lines and a SKIP somewhere inside it (now and
// then inside a character, or past the end). Some lines end in "\r\n", some hold ill-formed UTF-8
// (a stray byte, a cut sequence, an encoded surrogate, an overlong form), which the program turns
// into U+FFFD as Rust's from_utf8_lossy does; the last line may lack its "\n"; SKIP is sometimes
// written with a leading "+" or zeros, which Rust's u64 parser accepts.
import { joinBytes } from '../../../protocol/index.js';
import { createRng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

const ILL_FORMED = [
  [0xff],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xc0, 0xaf],
  [0xf4, 0x90, 0x80, 0x80],
];

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const parts: Uint8Array[] = [utf8('# README\n')];
  for (let i = 0; i < size; i++) {
    parts.push(utf8(`line ${i}: ${rng.u32().toString(36)} é 数据`));
    if (rng.below(6) === 0) parts.push(new Uint8Array(rng.pick(ILL_FORMED)));
    const last = i === size - 1;
    if (!last || rng.below(2) === 0) parts.push(utf8(rng.below(5) === 0 ? '\r\n' : '\n'));
  }
  const text = joinBytes(parts);
  const skip = rng.below(8) === 0 ? text.length + rng.below(10) : rng.below(text.length + 1);
  const spelling = ['', '', '', '+', '00'][rng.below(5)]!;
  return { files: files([['/input/README.md', text]]), env: { SKIP: `${spelling}${skip}` } };
}
