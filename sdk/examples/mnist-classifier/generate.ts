// Seeded data for mnist-classifier: one 28 x 28 handwritten-style digit (seven-segment strokes of
// random size, thickness, position, slant and brightness, white on a noisy black background) and
// the model, a 784-32-10 network the generator trains deterministically on such digits (fixed
// seed, plain SGD on the cross-entropy) and quantizes to uint8 (support/quantized-net.ts). The
// model does not depend on the seed and is trained once per process.
import { createRng, type Rng } from '../support/prng.js';
import {
  backward,
  encodeNet,
  expTable,
  forward,
  initMlp,
  quantize,
  type LayerScales,
  type QLayer,
  type QNet,
} from '../support/quantized-net.js';
import { files, type ExampleRun } from '../support/types.js';

export const DIGIT = '/input/digit.pgm';
export const MODEL = '/input/mnist-model.vcqn';
const SIDE = 28;

// Segments a..g as (x0, y0, x1, y1) in a unit box: top, top right, bottom right, bottom, bottom
// left, top left, middle.
const SEGMENTS: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 1, 0],
  [1, 0, 1, 0.5],
  [1, 0.5, 1, 1],
  [0, 1, 1, 1],
  [0, 0.5, 0, 1],
  [0, 0, 0, 0.5],
  [0, 0.5, 1, 0.5],
];
const DIGIT_SEGMENTS = [
  'abcdef',
  'bc',
  'abged',
  'abgcd',
  'fgbc',
  'afgcd',
  'afgedc',
  'abc',
  'abcdefg',
  'abcdfg',
];

/** A binary PGM (P5) of `width` x `height` grey pixels. */
export function pgmBytes(width: number, height: number, pixels: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
  const out = new Uint8Array(header.length + pixels.length);
  out.set(header);
  out.set(pixels, header.length);
  return out;
}

/** The pixels of `digit` drawn at random. */
function drawDigit(rng: Rng, digit: number): Uint8Array {
  const pixels = Uint8Array.from({ length: SIDE * SIDE }, () => rng.below(40));
  const [w, h] = [8 + rng.below(7), 14 + rng.below(7)];
  const [x0, y0] = [4 + rng.below(SIDE - 8 - w), 3 + rng.below(SIDE - 6 - h)];
  const slant = (rng.float() - 0.5) * 0.4;
  const thickness = 1.2 + rng.float() * 1.3;
  const ink = 170 + rng.below(86);
  for (const name of DIGIT_SEGMENTS[digit] ?? '') {
    const [ax, ay, bx, by] = SEGMENTS[name.charCodeAt(0) - 97]!;
    const point = (u: number, v: number): [number, number] => [
      x0 + u * w + (1 - v) * slant * h,
      y0 + v * h,
    ];
    const [p, q] = [point(ax, ay), point(bx, by)];
    for (let y = 0; y < SIDE; y++)
      for (let x = 0; x < SIDE; x++) {
        const [dx, dy] = [q[0] - p[0], q[1] - p[1]];
        const t = Math.max(
          0,
          Math.min(1, ((x - p[0]) * dx + (y - p[1]) * dy) / (dx * dx + dy * dy)),
        );
        const d = Math.hypot(x - p[0] - t * dx, y - p[1] - t * dy);
        if (d < thickness) pixels[y * SIDE + x] = Math.max(pixels[y * SIDE + x]!, ink);
      }
  }
  return pixels;
}

const asInput = (pixels: Uint8Array): Float64Array => Float64Array.from(pixels, (p) => p / 255);

/** The trained network, quantized: its layers and their real scales. */
export interface TrainedMnist {
  readonly layers: readonly QLayer[];
  readonly scales: readonly LayerScales[];
  readonly lastScale: number;
}

let trained: TrainedMnist | undefined;
let encoded: Uint8Array | undefined;

/**
 * The network, trained on the first call, then kept. tflite-inference-native-mnist stores the
 * same quantized network as a TensorFlow Lite model.
 */
export function trainedMnist(): TrainedMnist {
  if (trained) return trained;
  const rng = createRng(2017);
  const samples = Array.from({ length: 2000 }, (_, i) => ({
    digit: i % 10,
    x: asInput(drawDigit(rng, i % 10)),
  }));
  const layers = initMlp([SIDE * SIDE, 32, 10], rng);
  for (let epoch = 0; epoch < 6; epoch++) {
    for (const { digit, x } of samples) {
      const acts = forward(layers, x);
      const out = acts[acts.length - 1]!;
      const max = Math.max(...out);
      const e = out.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, b) => a + b, 0);
      backward(
        layers,
        acts,
        e.map((v, i) => v / sum - (i === digit ? 1 : 0)),
        0.02,
      );
    }
  }
  trained = quantize(
    layers,
    samples.slice(0, 300).map((s) => s.x),
  );
  return trained;
}

/** The model's VCQN bytes. */
function mnistModel(): Uint8Array {
  if (encoded) return encoded;
  const { layers, lastScale } = trainedMnist();
  const net: QNet = { input: SIDE * SIDE, layers, table: expTable(lastScale) };
  encoded = encodeNet(net);
  return encoded;
}

/** The digit `generate(seed, ...)` draws. */
export const digitOf = (seed: number): number => seed % 10;

export function generate(seed: number, _size: number): ExampleRun {
  const rng = createRng(seed * 7919 + 1);
  return {
    files: files([
      [DIGIT, pgmBytes(SIDE, SIDE, drawDigit(rng, digitOf(seed)))],
      [MODEL, mnistModel()],
    ]),
  };
}
