// Seeded data for string-search: `size` lines of random words (some outside ASCII, some with
// ill-formed UTF-8, which the program reads as U+FFFD, some ending in "\r\n", some with a bare
// "\r" inside, the last one sometimes without "\n" or with a bare "\r" at the very end) and a
// QUERY that is a word from the vocabulary, or now and then U+FFFD itself.
import { joinBytes } from '../../../protocol/index.js';
import { createRng } from '../support/prng.js';
import { files, utf8, type ExampleRun } from '../support/types.js';

const WORDS = [
  'veracruz',
  'enclave',
  'policy',
  'wasm',
  'attest',
  'nats',
  'crème',
  'brûlée',
  'données',
  '数据',
];
const ILL_FORMED = [[0xff], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf0, 0x9f, 0x98]];

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < size; i++) {
    const words = Array.from({ length: rng.between(1, 8) }, () => rng.pick(WORDS));
    if (rng.below(12) === 0) words.push('a\rb');
    parts.push(utf8(words.join(' ')));
    if (rng.below(8) === 0) parts.push(new Uint8Array(rng.pick(ILL_FORMED)));
    const ending = i < size - 1 ? ['\n', '\n', '\n', '\r\n'] : ['\n', '\r\n', '', '\r'];
    parts.push(utf8(rng.pick(ending)));
  }
  const query = rng.below(10) === 0 ? '\u{fffd}' : rng.pick(WORDS);
  return { files: files([['/input/hello-world-1.dat', joinBytes(parts)]]), env: { QUERY: query } };
}
