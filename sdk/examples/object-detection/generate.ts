// Seeded frames for object-detection and its detector. A frame is a 64 x 64 grey PGM with one to
// three objects (a filled square, a ring or a plus sign, 10 to 20 pixels across, bright on a dark
// noisy background, not overlapping); `frame(seed)` also returns where they are. The detector is
// a 576-24-8 network the generator trains deterministically (fixed seed, plain SGD: logistic loss
// for the objectness, cross-entropy for the class, squared error for the box, on the cell that
// holds each object's centre and on empty cells) and quantizes to uint8 (support/quantized-net.ts);
// it does not depend on the seed and is trained once per process. darknet-inference-native trains
// the same network with darknet's box sizes (`trainDetector('log')`) and writes it as darknet files.
import { createRng, type Rng } from '../support/prng.js';
import {
  backward,
  encodeNet,
  expTable,
  forward,
  initMlp,
  quantize,
  type FloatLayer,
} from '../support/quantized-net.js';
import { files, utf8, type ExampleRun } from '../support/types.js';
import { pgmBytes } from '../mnist-classifier/generate.js';

export const IMAGE = '/input/image.pgm';
export const DETECTOR = '/input/detector.vcqn';
export const LABELS = '/input/labels.names';
export const LABEL_NAMES = ['square', 'ring', 'cross'] as const;
export const SIDE = 64;
export const CELL = 8;
export const PATCH = 24;

/** An object drawn in a frame: class, centre and size in pixels. */
export interface Placed {
  readonly label: number;
  readonly cx: number;
  readonly cy: number;
  readonly size: number;
}

function inside(o: Placed, x: number, y: number): boolean {
  const [dx, dy, r] = [x + 0.5 - o.cx, y + 0.5 - o.cy, o.size / 2];
  if (o.label === 0) return Math.abs(dx) <= r && Math.abs(dy) <= r;
  if (o.label === 1) return dx * dx + dy * dy <= r * r && dx * dx + dy * dy >= (r - 3) * (r - 3);
  // A plus sign, arms 4 pixels thick.
  return Math.abs(dx) <= r && Math.abs(dy) <= r && (Math.abs(dx) <= 2 || Math.abs(dy) <= 2);
}

/** A frame's pixels and its objects. */
export function frame(seed: number): { pixels: Uint8Array; objects: Placed[] } {
  const rng = createRng(seed * 104729 + 7);
  return drawFrame(rng);
}

function drawFrame(rng: Rng): { pixels: Uint8Array; objects: Placed[] } {
  const objects: Placed[] = [];
  const wanted = 1 + rng.below(3);
  for (let tries = 0; objects.length < wanted && tries < 50; tries++) {
    const size = 10 + rng.below(11);
    const o = {
      label: rng.below(3),
      cx: size / 2 + 1 + rng.float() * (SIDE - size - 2),
      cy: size / 2 + 1 + rng.float() * (SIDE - size - 2),
      size,
    };
    if (objects.every((p) => Math.hypot(p.cx - o.cx, p.cy - o.cy) > (p.size + o.size) / 2 + 3))
      objects.push(o);
  }
  const pixels = Uint8Array.from({ length: SIDE * SIDE }, () => rng.below(50));
  for (const o of objects) {
    const ink = 150 + rng.below(106);
    for (let y = 0; y < SIDE; y++)
      for (let x = 0; x < SIDE; x++) if (inside(o, x, y)) pixels[y * SIDE + x] = ink;
  }
  return { pixels, objects };
}

/** The 24 x 24 pixels centred on cell (row, col), zero outside the frame, scaled to [0, 1]. */
function patch(pixels: Uint8Array, row: number, col: number): Float64Array {
  const out = new Float64Array(PATCH * PATCH);
  for (let y = 0; y < PATCH; y++)
    for (let x = 0; x < PATCH; x++) {
      const [iy, ix] = [row * CELL + y - 8, col * CELL + x - 8];
      if (iy >= 0 && iy < SIDE && ix >= 0 && ix < SIDE)
        out[y * PATCH + x] = pixels[iy * SIDE + ix]! / 255;
    }
  return out;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * How the network's two size outputs give a box's width and height: `sigmoid`, 32 sigmoid(t)
 * pixels (this example's VCQN detector); `log`, 8 exp(t) pixels (darknet's [region] layer with
 * one anchor of one cell, darknet-inference-native's).
 */
export type SizeHead = 'sigmoid' | 'log';

/**
 * Trains the detector (float, outputs objectness, the class logits, then the box: x, y, w, h)
 * from a fixed seed; also returns the first training patches (the quantizer's calibration set).
 */
export function trainDetector(sizeHead: SizeHead): {
  layers: FloatLayer[];
  calibration: Float64Array[];
} {
  const rng = createRng(2012);
  const classes = LABEL_NAMES.length;
  type Sample = { x: Float64Array; target?: { label: number; box: number[] } };
  const samples: Sample[] = [];
  const grid = SIDE / CELL;
  const sizeTarget = (size: number): number =>
    sizeHead === 'sigmoid' ? size / 32 : Math.log(size / CELL);
  for (let f = 0; f < 200; f++) {
    const { pixels, objects } = drawFrame(rng);
    const owner = new Map<number, Placed>();
    for (const o of objects) owner.set(Math.floor(o.cy / CELL) * grid + Math.floor(o.cx / CELL), o);
    for (let cell = 0; cell < grid * grid; cell++) {
      const [row, col] = [Math.floor(cell / grid), cell % grid];
      const o = owner.get(cell);
      const near = objects.some(
        (p) => Math.abs(p.cx - (col * CELL + 4)) < 16 && Math.abs(p.cy - (row * CELL + 4)) < 16,
      );
      if (!o && !near && rng.below(16) !== 0) continue;
      const x = patch(pixels, row, col);
      samples.push(
        o
          ? {
              x,
              target: {
                label: o.label,
                box: [
                  (o.cx - col * CELL) / CELL,
                  (o.cy - row * CELL) / CELL,
                  sizeTarget(o.size),
                  sizeTarget(o.size),
                ],
              },
            }
          : { x },
      );
    }
  }
  const layers = initMlp([PATCH * PATCH, 24, 5 + classes], rng);
  for (let epoch = 0; epoch < 6; epoch++) {
    for (let i = samples.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [samples[i], samples[j]] = [samples[j]!, samples[i]!];
    }
    for (const { x, target } of samples) {
      const acts = forward(layers, x);
      const out = acts[acts.length - 1]!;
      const grad = new Float64Array(out.length);
      grad[0] = sigmoid(out[0]!) - (target ? 1 : 0);
      if (target) {
        const logits = out.subarray(1, 1 + classes);
        const max = Math.max(...logits);
        const e = logits.map((v) => Math.exp(v - max));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let k = 0; k < classes; k++) grad[1 + k] = e[k]! / sum - (k === target.label ? 1 : 0);
        for (let k = 0; k < 4; k++) {
          const t = out[1 + classes + k]!;
          if (k >= 2 && sizeHead === 'log') {
            grad[1 + classes + k] = t - target.box[k]!;
            continue;
          }
          const s = sigmoid(t);
          grad[1 + classes + k] = 4 * (s - target.box[k]!) * s * (1 - s);
        }
      }
      backward(layers, acts, grad, 0.01);
    }
  }
  return { layers, calibration: samples.slice(0, 400).map((s) => s.x) };
}

let trained: Uint8Array | undefined;

/** The detector's VCQN bytes: trained on the first call, then kept. */
function detectorModel(): Uint8Array {
  if (trained) return trained;
  const { layers, calibration } = trainDetector('sigmoid');
  const { layers: q, lastScale } = quantize(layers, calibration);
  trained = encodeNet({ input: PATCH * PATCH, layers: q, table: expTable(lastScale) });
  return trained;
}

export function generate(seed: number, _size: number): ExampleRun {
  return {
    files: files([
      [IMAGE, pgmBytes(SIDE, SIDE, frame(seed).pixels)],
      [DETECTOR, detectorModel()],
      [LABELS, utf8(`${LABEL_NAMES.join('\n')}\n`)],
    ]),
  };
}
