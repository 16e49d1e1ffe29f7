// Reference for darknet-inference-native, written from darknet's published algorithm, not from
// libdarknet: the image as darknet's loader gives it (each channel's byte / 255 in float32), the
// letterbox (or resize) to the network's size, the convolutions, the [region] layer's logistic
// and softmax, darknet's box decoding and letterbox correction, the objectness threshold, the
// per-class suppression of do_nms_sort, then the module's selection, order and printing
// (docs/guest-programs.md#darknet-inference-native). Every step rounds to float32 where darknet's
// C code does, in darknet's order of summation, so the result is darknet's to within the
// differences of libm's exp and the compiler's freedom with float arithmetic (the tests compare
// with a tolerance: outputMismatch's `detections` kind).
import { readDarknet, type Activation, type DarknetNet } from '../support/darknet-net.js';
import { CHANNELS, decodePng } from '../support/png.js';
import { files, fromUtf8, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';
import { f32Text } from '../object-detection/reference.js';
import { CFG, IMAGE, LABELS, PREDICTION, WEIGHTS } from './generate.js';

const f = Math.fround;

/** The request's numbers (Veracruz's DarknetInferenceInput). */
export interface DarknetSettings {
  readonly objectnessThreshold: number;
  readonly classThreshold: number;
  readonly iouThreshold: number;
  readonly letterbox: boolean;
}

/** The values Veracruz's program sends, as the guest sends them. */
export const VERACRUZ_SETTINGS: DarknetSettings = {
  objectnessThreshold: f(0.25),
  classThreshold: f(0.25),
  iouThreshold: f(0.45),
  letterbox: true,
};

/** Channel planes of float32 values, darknet's `image`. */
interface Planes {
  readonly w: number;
  readonly h: number;
  readonly c: number;
  readonly data: Float32Array;
}

/** The image as stb_image gives it with three channels, each byte / 255. */
function pngPlanes(png: Uint8Array): Planes {
  const image = decodePng(png);
  const bpp = CHANNELS[image.colour]!;
  const [w, h] = [image.width, image.height];
  const data = new Float32Array(3 * w * h);
  for (let k = 0; k < 3; k++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        // Grey (and grey-alpha) is copied to all three channels; alpha is dropped.
        const source = bpp >= 3 ? k : 0;
        data[k * w * h + y * w + x] = image.pixels[(y * w + x) * bpp + source]! / 255;
      }
  return { w, h, c: 3, data };
}

const at = (im: Planes, x: number, y: number, k: number): number =>
  im.data[k * im.w * im.h + y * im.w + x]!;

/** darknet's resize_image: bilinear, columns first, then rows. */
function resize(im: Planes, w: number, h: number): Planes {
  const part = new Float32Array(w * im.h * im.c);
  const wScale = f((im.w - 1) / (w - 1));
  const hScale = f((im.h - 1) / (h - 1));
  for (let k = 0; k < im.c; k++)
    for (let r = 0; r < im.h; r++)
      for (let c = 0; c < w; c++) {
        let val: number;
        if (c === w - 1 || im.w === 1) val = at(im, im.w - 1, r, k);
        else {
          const sx = f(c * wScale);
          const ix = Math.trunc(sx);
          const dx = f(sx - ix);
          val = f(f(f(1 - dx) * at(im, ix, r, k)) + f(dx * at(im, ix + 1, r, k)));
        }
        part[k * w * im.h + r * w + c] = val;
      }
  const out = new Float32Array(w * h * im.c);
  for (let k = 0; k < im.c; k++)
    for (let r = 0; r < h; r++) {
      const sy = f(r * hScale);
      const iy = Math.trunc(sy);
      const dy = f(sy - iy);
      for (let c = 0; c < w; c++) {
        let val = f(f(1 - dy) * part[k * w * im.h + iy * w + c]!);
        if (!(r === h - 1 || im.h === 1))
          val = f(val + f(dy * part[k * w * im.h + (iy + 1) * w + c]!));
        out[k * w * h + r * w + c] = val;
      }
    }
  return { w, h, c: im.c, data: out };
}

/** The size the image takes inside the letterbox (darknet's letterbox_image and correction). */
function letterboxSize(imW: number, imH: number, w: number, h: number): [number, number] {
  return f(w / imW) < f(h / imH)
    ? [w, Math.trunc((imH * w) / imW)]
    : [Math.trunc((imW * h) / imH), h];
}

/** darknet's letterbox_image: resized to fit, centred on a grey (0.5) canvas. */
function letterbox(im: Planes, w: number, h: number): Planes {
  const [newW, newH] = letterboxSize(im.w, im.h, w, h);
  const resized = resize(im, newW, newH);
  const out = new Float32Array(w * h * im.c).fill(0.5);
  const [dx, dy] = [Math.trunc((w - newW) / 2), Math.trunc((h - newH) / 2)];
  for (let k = 0; k < im.c; k++)
    for (let y = 0; y < newH; y++)
      for (let x = 0; x < newW; x++) out[k * w * h + (y + dy) * w + x + dx] = at(resized, x, y, k);
  return { w, h, c: im.c, data: out };
}

const logistic = (x: number): number => f(1 / (1 + Math.exp(-x)));

function activate(x: number, activation: Activation): number {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return x > 0 ? x : 0;
    case 'logistic':
      return logistic(x);
    case 'leaky':
      return x > 0 ? x : f(0.1 * x);
  }
}

/** The network's raw output for `input` (the [region] layer's input, w x h x channels). */
function convolve(net: DarknetNet, input: Planes): Planes {
  let im = input;
  for (const conv of net.convs) {
    const { size, stride, padding: pad, filters } = conv;
    const outW = Math.floor((im.w + 2 * pad - size) / stride) + 1;
    const outH = Math.floor((im.h + 2 * pad - size) / stride) + 1;
    const out = new Float32Array(outW * outH * filters);
    for (let n = 0; n < filters; n++)
      for (let oy = 0; oy < outH; oy++)
        for (let ox = 0; ox < outW; ox++) {
          // darknet's gemm adds the products in im2col's order: channel, row, column.
          let acc = 0;
          for (let c = 0; c < im.c; c++)
            for (let ky = 0; ky < size; ky++) {
              const iy = oy * stride + ky - pad;
              for (let kx = 0; kx < size; kx++) {
                const ix = ox * stride + kx - pad;
                const v = iy >= 0 && iy < im.h && ix >= 0 && ix < im.w ? at(im, ix, iy, c) : 0;
                acc = f(acc + f(conv.weights[((n * im.c + c) * size + ky) * size + kx]! * v));
              }
            }
          out[n * outW * outH + oy * outW + ox] = activate(
            f(acc + conv.biases[n]!),
            conv.activation,
          );
        }
    im = { w: outW, h: outH, c: filters, data: out };
  }
  return im;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Det {
  readonly bbox: Box;
  objectness: number;
  readonly prob: number[];
}

function overlap(x1: number, w1: number, x2: number, w2: number): number {
  const left = Math.max(f(x1 - f(w1 / 2)), f(x2 - f(w2 / 2)));
  const right = Math.min(f(x1 + f(w1 / 2)), f(x2 + f(w2 / 2)));
  return f(right - left);
}

/** darknet's box_iou, in float32. */
function iou(a: Box, b: Box): number {
  const w = overlap(a.x, a.w, b.x, b.w);
  const h = overlap(a.y, a.h, b.y, b.h);
  const inter = w < 0 || h < 0 ? 0 : f(w * h);
  const union = f(f(f(a.w * a.h) + f(b.w * b.h)) - inter);
  return f(inter / union);
}

/** The [region] layer's boxes, as get_network_boxes gives them (relative to the image). */
function regionBoxes(
  net: DarknetNet,
  raw: Planes,
  imW: number,
  imH: number,
  threshold: number,
): Det[] {
  const { classes, num, anchors, softmax } = net.region;
  const [w, h] = [raw.w, raw.h];
  const entry = (n: number, loc: number, e: number): number =>
    n * w * h * (classes + 5) + e * w * h + loc;
  const out = Float32Array.from(raw.data);
  for (let n = 0; n < num; n++)
    for (let loc = 0; loc < w * h; loc++) {
      for (const e of [0, 1, 4]) out[entry(n, loc, e)] = logistic(out[entry(n, loc, e)]!);
      if (!softmax)
        for (let j = 0; j < classes; j++)
          out[entry(n, loc, 5 + j)] = logistic(out[entry(n, loc, 5 + j)]!);
      else {
        let largest = -3.4028234663852886e38;
        for (let j = 0; j < classes; j++) largest = Math.max(largest, out[entry(n, loc, 5 + j)]!);
        const e = Array.from({ length: classes }, (_, j) =>
          f(Math.exp(f(out[entry(n, loc, 5 + j)]! - largest))),
        );
        const sum = e.reduce((s, v) => f(s + v), 0);
        e.forEach((v, j) => (out[entry(n, loc, 5 + j)] = f(v / sum)));
      }
    }
  // correct_region_boxes: from the letterboxed network input back to the image.
  const [newW, newH] = letterboxSize(imW, imH, net.width, net.height);
  const dets: Det[] = [];
  for (let i = 0; i < w * h; i++)
    for (let n = 0; n < num; n++) {
      const [row, col] = [Math.trunc(i / w), i % w];
      const v = (e: number): number => out[entry(n, i, e)]!;
      const bbox = {
        x: f(f(col + v(0)) / w),
        y: f(f(row + v(1)) / h),
        w: f((Math.exp(v(2)) * f(anchors[2 * n]!)) / w),
        h: f((Math.exp(v(3)) * f(anchors[2 * n + 1]!)) / h),
      };
      bbox.x = f((bbox.x - (net.width - newW) / 2 / net.width) / f(newW / net.width));
      bbox.y = f((bbox.y - (net.height - newH) / 2 / net.height) / f(newH / net.height));
      bbox.w = f(bbox.w * f(net.width / newW));
      bbox.h = f(bbox.h * f(net.height / newH));
      const scale = v(4);
      const objectness = scale > threshold ? scale : 0;
      const prob = Array.from({ length: classes }, (_, j) => {
        const p = f(scale * v(5 + j));
        return objectness && p > threshold ? p : 0;
      });
      // Darknet fills the slots box by box within a cell: index n * w * h + i.
      dets[n * w * h + i] = { bbox, objectness, prob };
    }
  return dets;
}

/** do_nms_sort: boxes of no objectness set aside, then per class a greedy suppression. */
function nmsSort(dets: Det[], classes: number, threshold: number): Det[] {
  const order = [...dets];
  let k = order.length - 1;
  for (let i = 0; i <= k; i++)
    if (order[i]!.objectness === 0) {
      [order[i], order[k]] = [order[k]!, order[i]!];
      k--;
      i--;
    }
  const live = order.slice(0, k + 1);
  for (let c = 0; c < classes; c++) {
    live.sort((a, b) => b.prob[c]! - a.prob[c]!);
    for (let i = 0; i < live.length; i++) {
      if (live[i]!.prob[c] === 0) continue;
      for (let j = i + 1; j < live.length; j++)
        if (iou(live[i]!.bbox, live[j]!.bbox) > threshold) live[j]!.prob[c] = 0;
    }
  }
  return [...live, ...order.slice(k + 1)];
}

export interface Detection {
  readonly class: number;
  readonly prob: number;
  readonly bbox: Readonly<Box>;
}

/** The module's detections of `image` (PNG) by `net`, most probable first. */
export function detect(net: DarknetNet, image: Uint8Array, settings: DarknetSettings): Detection[] {
  const im = pngPlanes(image);
  if (net.channels !== 3) throw new Error('the network does not take colour images');
  const sized = settings.letterbox
    ? letterbox(im, net.width, net.height)
    : resize(im, net.width, net.height);
  const [imW, imH] = settings.letterbox ? [im.w, im.h] : [net.width, net.height];
  let dets = regionBoxes(net, convolve(net, sized), imW, imH, settings.objectnessThreshold);
  if (settings.iouThreshold > 0) dets = nmsSort(dets, net.region.classes, settings.iouThreshold);
  const found: Detection[] = [];
  for (const d of dets) {
    let best = -1;
    d.prob.forEach((p, j) => {
      if (p > settings.classThreshold && (best < 0 || p > d.prob[best]!)) best = j;
    });
    if (best >= 0) found.push({ class: best, prob: d.prob[best]!, bbox: d.bbox });
  }
  return found.sort(
    (a, b) => b.prob - a.prob || a.bbox.y - b.bbox.y || a.bbox.x - b.bbox.x || a.class - b.class,
  );
}

/** C's "%.2f" of an f32: the exact value rounded to two decimals, ties to even. */
export function fixed2(v: number): string {
  const hundredths = v * 100;
  const floor = Math.floor(hundredths);
  const rest = hundredths - floor;
  // v is an f32 (24 significant bits), so v * 100 is exact in a double and a tie is exact.
  const n = rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  return (n / 100).toFixed(2);
}

/** The prediction file's text: one line per detection. */
export function predictionLog(found: readonly Detection[], labels: readonly string[]): string {
  return found
    .map((d) => {
      const { x, y, w, h } = d.bbox;
      const percent = fixed2(f(d.prob * 100));
      return `${labels[d.class]}\t${percent}%\tx: ${f32Text(x)}\ty: ${f32Text(y)}\tw: ${f32Text(w)}\th: ${f32Text(h)}\n`;
    })
    .join('');
}

/** The labels of a .names file: one a line, the last newline optional. */
function namesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function reference(run: ExampleRun): GuestFiles {
  const net = readDarknet(fromUtf8(need(run, CFG)), need(run, WEIGHTS));
  const labels = namesOf(fromUtf8(need(run, LABELS)));
  if (labels.length !== net.region.classes)
    throw new Error(`${labels.length} labels for ${net.region.classes} classes`);
  const text = predictionLog(detect(net, need(run, IMAGE), VERACRUZ_SETTINGS), labels);
  return files([[PREDICTION, utf8(text)]]);
}
