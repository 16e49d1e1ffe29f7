// Reference for object-detection: the same grid of cells, integer inference
// (support/quantized-net.ts), thresholds and suppression as main.rs, and darknet's printing (f32
// values: two decimals for the percentage, the shortest form that reads back for the box).
import { decodeNet, runNet, softmaxQ, type QNet } from '../support/quantized-net.js';
import { files, fromUtf8, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';
import { readPgm } from '../mnist-classifier/reference.js';
import { DETECTOR, IMAGE, LABELS, SIDE } from './generate.js';

const CELL = 8;
const PATCH = 24;
const ONE = 1n << 24n;

export interface Detection {
  readonly class: number;
  /** 0..255. */
  readonly prob: number;
  /** Centre and size in 1/255 pixel. */
  readonly cx: number;
  readonly cy: number;
  readonly w: number;
  readonly h: number;
}

function sig(net: QNet, zero: number, v: number): number {
  const e = BigInt(net.table[Math.abs(v - zero)] ?? 0);
  const [num, den] = v >= zero ? [255n * ONE, ONE + e] : [255n * e, ONE + e];
  return Number((2n * num + den) / (2n * den));
}

function overlaps(a: Detection, b: Detection): boolean {
  const span = (c1: number, s1: number, c2: number, s2: number): number =>
    Math.max(0, Math.min(2 * c1 + s1, 2 * c2 + s2) - Math.max(2 * c1 - s1, 2 * c2 - s2));
  const inter = span(a.cx, a.w, b.cx, b.w) * span(a.cy, a.h, b.cy, b.h);
  return inter * 100 > 45 * (4 * a.w * a.h + 4 * b.w * b.h - inter);
}

/** The kept detections of a frame, most probable first. */
export function detect(model: Uint8Array, image: Uint8Array): Detection[] {
  const net = decodeNet(model);
  const pixels = readPgm(image, SIDE, SIDE);
  const last = net.layers[net.layers.length - 1]!;
  const classes = last.outputs - 5;
  const found: Detection[] = [];
  const grid = SIDE / CELL;
  for (let row = 0; row < grid; row++)
    for (let col = 0; col < grid; col++) {
      const patch = new Uint8Array(PATCH * PATCH);
      for (let y = 0; y < PATCH; y++)
        for (let x = 0; x < PATCH; x++) {
          const [iy, ix] = [row * CELL + y - 8, col * CELL + x - 8];
          if (iy >= 0 && iy < SIDE && ix >= 0 && ix < SIDE)
            patch[y * PATCH + x] = pixels[iy * SIDE + ix]!;
        }
      const q = [...runNet(net, patch)];
      const objectness = sig(net, last.outputZero, q[0]!);
      const probs = softmaxQ(net, q.slice(1, 1 + classes));
      const best = probs.indexOf(Math.max(...probs));
      const prob = Math.floor((objectness * probs[best]!) / 255);
      if (objectness < 64 || prob < 64) continue;
      const [bx, by, bw, bh] = q.slice(1 + classes).map((v) => sig(net, last.outputZero, v));
      found.push({
        class: best,
        prob,
        cx: CELL * 255 * col + 8 * bx!,
        cy: CELL * 255 * row + 8 * by!,
        w: 32 * bw!,
        h: 32 * bh!,
      });
    }
  found.sort((a, b) => b.prob - a.prob);
  const kept: Detection[] = [];
  for (const d of found) if (!kept.some((k) => overlaps(k, d))) kept.push(d);
  return kept;
}

/** Rust's Display of an f32: the shortest decimal that reads back as it, never an exponent. */
export function f32Text(v: number): string {
  if (v === 0) return '0';
  let text = '';
  for (let p = 1; p <= 9; p++) {
    text = v.toPrecision(p);
    if (Math.fround(Number(text)) === v) break;
  }
  const [mantissa = '', exponent = '0'] = text.split('e');
  const negative = mantissa.startsWith('-');
  const [int = '', frac = ''] = mantissa.replace('-', '').split('.');
  const digits = int + frac;
  const point = int.length + Number(exponent);
  const padded =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  const trimmed = padded.includes('.') ? padded.replace(/0+$/, '').replace(/\.$/, '') : padded;
  return (negative ? '-' : '') + trimmed.replace(/^0+(?=\d)/, '');
}

function predictionLog(detections: readonly Detection[], labels: readonly string[]): string {
  const scale = Math.fround(SIDE * 255);
  const f32 = (v: number): string => f32Text(Math.fround(v / scale));
  return detections
    .map((d) => {
      const percent = Math.fround(Math.fround(d.prob / 255) * 100).toFixed(2);
      return `${labels[d.class]}\t${percent}%\tx: ${f32(d.cx)}\ty: ${f32(d.cy)}\tw: ${f32(d.w)}\th: ${f32(d.h)}\n`;
    })
    .join('');
}

export function reference(run: ExampleRun): GuestFiles {
  const labels = fromUtf8(need(run, LABELS))
    .split('\n')
    .filter((l, i, all) => l !== '' || i < all.length - 1);
  const text = predictionLog(detect(need(run, DETECTOR), need(run, IMAGE)), labels);
  return files([['/output/prediction.log', utf8(text)]]);
}
