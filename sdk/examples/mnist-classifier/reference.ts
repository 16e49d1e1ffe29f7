// Reference for mnist-classifier: the same integer inference (support/quantized-net.ts), then
// Veracruz's printing: percentages q * 100 / 255 in f32, sorted descending (stable), two decimals.
import { decodeNet, runNet, softmaxQ } from '../support/quantized-net.js';
import { files, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';
import { DIGIT, MODEL } from './generate.js';

/** The grey pixels of a binary PGM of exactly `width` x `height`, maxval 255. */
export function readPgm(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 64));
  const match = /^P5(?:\s|#[^\n]*\n)+(\d+)(?:\s|#[^\n]*\n)+(\d+)(?:\s|#[^\n]*\n)+(\d+)\s/.exec(
    text,
  );
  if (!match) throw new Error('not a binary PGM (P5)');
  const [, w, h, max] = match.map(Number);
  if (w !== width || h !== height || max !== 255)
    throw new Error(`a ${w}x${h} PGM of maxval ${max}`);
  const pixels = bytes.subarray(match[0].length);
  if (pixels.length !== width * height) throw new Error(`${pixels.length} pixel bytes`);
  return pixels;
}

/** The ten uint8 digit probabilities. */
export function classify(model: Uint8Array, pgm: Uint8Array): number[] {
  const net = decodeNet(model);
  return softmaxQ(net, [...runNet(net, readPgm(pgm, 28, 28))]);
}

/** Veracruz's lines for ten uint8 digit probabilities. */
export function mnistText(probabilities: readonly number[]): string {
  const rows = probabilities
    .map((q, digit) => ({ digit, percent: Math.fround(Math.fround(q * 100) / 255) }))
    .sort((a, b) => b.percent - a.percent);
  return `Detection probability per digit (descending):\n${rows
    .map((r) => `${r.digit}: ${r.percent.toFixed(2)}%\n`)
    .join('')}`;
}

export function reference(run: ExampleRun): GuestFiles {
  const text = mnistText(classify(need(run, MODEL), need(run, DIGIT)));
  return files([['/output/mnist.txt', utf8(text)]]);
}
