// A small uint8-quantized network (dense layers), the model format "VCQN" of the inference
// examples (docs/guest-programs.md): trained in floating point by a generator, quantized as
// TensorFlow Lite quantizes (asymmetric uint8 values, int32 biases, a fixed-point multiplier per
// layer), and run with integer arithmetic only, so a guest and this reference agree exactly.
import type { Rng } from './prng.js';

export interface QLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly weightZero: number;
  readonly inputZero: number;
  readonly outputZero: number;
  readonly relu: boolean;
  /** In [2^30, 2^31): the real scale is multiplier / 2^(31 + shift). */
  readonly multiplier: number;
  readonly shift: number;
  readonly weights: Uint8Array;
  readonly biases: Int32Array;
}

export interface QNet {
  readonly input: number;
  readonly layers: readonly QLayer[];
  /** 256 entries: round(2^24 exp(-d * scale)), d the distance below the largest output. */
  readonly table: Uint32Array;
}

/** The VCQN bytes of `net`. */
export function encodeNet(net: QNet): Uint8Array {
  const size =
    16 + net.layers.reduce((n, l) => n + 20 + l.inputs * l.outputs + 4 * l.outputs, 0) + 1024;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  const u32 = (v: number): void => {
    view.setUint32(at, v >>> 0, true);
    at += 4;
  };
  out.set(new TextEncoder().encode('VCQN'));
  at = 4;
  u32(1);
  u32(net.input);
  u32(net.layers.length);
  for (const l of net.layers) {
    u32(l.inputs);
    u32(l.outputs);
    out.set([l.weightZero, l.inputZero, l.outputZero, l.relu ? 1 : 0], at);
    at += 4;
    u32(l.multiplier);
    u32(l.shift);
    out.set(l.weights, at);
    at += l.weights.length;
    for (const b of l.biases) u32(b);
  }
  for (const e of net.table) u32(e);
  return out;
}

/** Decodes VCQN bytes; throws on any inconsistency (as the guests refuse them). */
export function decodeNet(bytes: Uint8Array): QNet {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number): void => {
    if (at + n > bytes.length) throw new Error(`the model ends at byte ${bytes.length}`);
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(at, true);
    at += 4;
    return v;
  };
  need(4);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== 'VCQN')
    throw new Error('not a VCQN model');
  at = 4;
  if (u32() !== 1) throw new Error('not a VCQN version 1 model');
  const input = u32();
  const count = u32();
  if (count === 0 || count > 16) throw new Error(`${count} layers`);
  const layers: QLayer[] = [];
  let width = input;
  for (let i = 0; i < count; i++) {
    const [inputs, outputs] = [u32(), u32()];
    if (inputs !== width || outputs === 0 || outputs > 4096)
      throw new Error(`layer ${i} maps ${inputs} to ${outputs} values after ${width}`);
    need(4);
    const [weightZero, inputZero, outputZero, relu] = bytes.subarray(at, at + 4);
    at += 4;
    const multiplier = u32();
    const shift = u32();
    if (relu! > 1 || multiplier < 2 ** 30 || multiplier >= 2 ** 31 || shift > 31)
      throw new Error(`layer ${i} has a bad relu flag, multiplier or shift`);
    need(inputs * outputs);
    const weights = bytes.slice(at, at + inputs * outputs);
    at += inputs * outputs;
    const biases = Int32Array.from({ length: outputs }, () => u32() | 0);
    layers.push({
      inputs,
      outputs,
      weightZero: weightZero!,
      inputZero: inputZero!,
      outputZero: outputZero!,
      relu: relu === 1,
      multiplier,
      shift,
      weights,
      biases,
    });
    width = outputs;
  }
  const table = Uint32Array.from({ length: 256 }, () => u32());
  if (at !== bytes.length) throw new Error(`${bytes.length - at} bytes after the model`);
  return { input, layers, table };
}

/** One layer in integers: acc = bias + sum (w - wz)(x - xz), requantized and clamped. */
function runLayer(l: QLayer, x: Uint8Array): Uint8Array {
  const out = new Uint8Array(l.outputs);
  const round = 1n << BigInt(30 + l.shift);
  const shift = BigInt(31 + l.shift);
  for (let o = 0; o < l.outputs; o++) {
    let acc = l.biases[o] ?? 0;
    const row = o * l.inputs;
    for (let i = 0; i < l.inputs; i++)
      acc += ((l.weights[row + i] ?? 0) - l.weightZero) * ((x[i] ?? 0) - l.inputZero);
    const scaled = Number((BigInt(acc) * BigInt(l.multiplier) + round) >> shift);
    out[o] = Math.min(255, Math.max(l.relu ? l.outputZero : 0, scaled + l.outputZero));
  }
  return out;
}

/** The last layer's uint8 outputs for `input`. */
export function runNet(net: QNet, input: Uint8Array): Uint8Array {
  return net.layers.reduce((x, l) => runLayer(l, x), input);
}

/** uint8 probabilities (0..255) of the softmax of quantized outputs `q`, by the exp table. */
export function softmaxQ(net: QNet, q: readonly number[]): number[] {
  const max = Math.max(...q);
  const e = q.map((v) => BigInt(net.table[max - v] ?? 0));
  const sum = e.reduce((a, b) => a + b, 0n);
  return e.map((v) => Number((2n * 255n * v + sum) / (2n * sum)));
}

// Training (floating point; only the generators run it) and quantization.

export interface FloatLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly w: Float64Array;
  readonly b: Float64Array;
  readonly relu: boolean;
}

/** A multilayer perceptron with the given widths (ReLU between layers), small random weights. */
export function initMlp(widths: readonly number[], rng: Rng): FloatLayer[] {
  const layers: FloatLayer[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const [inputs, outputs] = [widths[i]!, widths[i + 1]!];
    const scale = Math.sqrt(2 / inputs);
    const w = Float64Array.from({ length: inputs * outputs }, () => (rng.float() * 2 - 1) * scale);
    layers.push({ inputs, outputs, w, b: new Float64Array(outputs), relu: i + 2 < widths.length });
  }
  return layers;
}

/** Every layer's activations for `x` (inputs in [0, 1]); the last is the raw outputs. */
export function forward(layers: readonly FloatLayer[], x: Float64Array): Float64Array[] {
  const acts = [x];
  for (const l of layers) {
    const prev = acts[acts.length - 1]!;
    const out = new Float64Array(l.outputs);
    for (let o = 0; o < l.outputs; o++) {
      let s = l.b[o]!;
      for (let i = 0; i < l.inputs; i++) s += l.w[o * l.inputs + i]! * prev[i]!;
      out[o] = l.relu ? Math.max(0, s) : s;
    }
    acts.push(out);
  }
  return acts;
}

/** One SGD step given the gradient of the loss with respect to the raw outputs. */
export function backward(
  layers: readonly FloatLayer[],
  acts: readonly Float64Array[],
  outputGrad: Float64Array,
  rate: number,
): void {
  let grad = outputGrad;
  for (let li = layers.length - 1; li >= 0; li--) {
    const l = layers[li]!;
    const input = acts[li]!;
    const back = new Float64Array(l.inputs);
    for (let o = 0; o < l.outputs; o++) {
      const g = grad[o]!;
      if (g === 0) continue;
      const row = o * l.inputs;
      for (let i = 0; i < l.inputs; i++) {
        back[i]! += g * l.w[row + i]!;
        l.w[row + i]! -= rate * g * input[i]!;
      }
      l.b[o]! -= rate * g;
    }
    if (li > 0) {
      const below = layers[li - 1]!;
      if (below.relu) for (let i = 0; i < l.inputs; i++) if (input[i]! <= 0) back[i] = 0;
    }
    grad = back;
  }
}

/** The multiplier and shift of a real scale in (0, 1). */
function fixedPoint(real: number): { multiplier: number; shift: number } {
  if (!(real > 0 && real < 1)) throw new Error(`scale ${real} is not in (0, 1)`);
  let shift = 0;
  let m = real;
  while (m < 0.5 && shift < 31) {
    m *= 2;
    shift++;
  }
  const multiplier = Math.min(2 ** 31 - 1, Math.round(m * 2 ** 31));
  return { multiplier, shift };
}

/** The real scales of one quantized layer: value = scale * (q - zero point). */
export interface LayerScales {
  readonly input: number;
  readonly weight: number;
  readonly output: number;
}

/**
 * Quantizes `layers` (inputs in [0, 1] as uint8 / 255) using `samples` to find each layer's output
 * range; `lastScale` receives the last layer's output scale (for its tables), `scales` each
 * layer's real scales (for a TensorFlow Lite model of the same network).
 */
export function quantize(
  layers: readonly FloatLayer[],
  samples: readonly Float64Array[],
): { layers: QLayer[]; lastScale: number; scales: LayerScales[] } {
  let inScale = 1 / 255;
  let inZero = 0;
  const out: QLayer[] = [];
  const scales: LayerScales[] = [];
  let lastScale = 1;
  layers.forEach((l, li) => {
    let [lo, hi] = [0, 0];
    for (const s of samples) {
      const a = forward(layers, s)[li + 1]!;
      for (const v of a) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    }
    const outScale = (hi - lo) / 255 || 1;
    const outZero = Math.round(-lo / outScale);
    let [wlo, whi] = [0, 0];
    for (const w of l.w) [wlo, whi] = [Math.min(wlo, w), Math.max(whi, w)];
    const wScale = (whi - wlo) / 255 || 1;
    const weightZero = Math.round(-wlo / wScale);
    const weights = Uint8Array.from(l.w, (w) =>
      Math.min(255, Math.max(0, Math.round(w / wScale) + weightZero)),
    );
    const biases = Int32Array.from(l.b, (b) => Math.round(b / (inScale * wScale)));
    const { multiplier, shift } = fixedPoint((inScale * wScale) / outScale);
    out.push({
      inputs: l.inputs,
      outputs: l.outputs,
      weightZero,
      inputZero: inZero,
      outputZero: outZero,
      relu: l.relu,
      multiplier,
      shift,
      weights,
      biases,
    });
    scales.push({ input: inScale, weight: wScale, output: outScale });
    [inScale, inZero, lastScale] = [outScale, outZero, outScale];
  });
  return { layers: out, lastScale, scales };
}

/** The exp table of an output scale. */
export function expTable(scale: number): Uint32Array {
  return Uint32Array.from({ length: 256 }, (_, d) => Math.round(2 ** 24 * Math.exp(-d * scale)));
}
