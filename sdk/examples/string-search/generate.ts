// Seeded data for string-search: `size` lines of random words (some outside ASCII, some with
// "\r\n" endings) and a QUERY that is a word from the vocabulary.
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

export function generate(seed: number, size: number): ExampleRun {
  const rng = createRng(seed);
  const lines = Array.from({ length: size }, () => {
    const words = Array.from({ length: rng.between(1, 8) }, () => rng.pick(WORDS));
    return `${words.join(' ')}${rng.below(10) === 0 ? '\r\n' : '\n'}`;
  });
  return {
    files: files([['/input/hello-world-1.dat', utf8(lines.join(''))]]),
    env: { QUERY: rng.pick(WORDS) },
  };
}
