// Reference for tflite-inference-native-mnist, independent of Arm NN: the `.tflite` is read with
// the TypeScript reader (support/tflite.ts) and run with TensorFlow Lite's own uint8 integer
// arithmetic, as its reference kernels compute (tensorflow/lite/kernels/internal/reference/
// fully_connected.h and softmax.h, with gemmlowp's fixed-point functions): integer
// accumulators, a fixed-point multiplier with two roundings, and the fixed-point exp and
// reciprocal of the softmax. The printed lines are Veracruz's (mnist-classifier's reference).
// Arm NN's CpuRef computes in f32 between dequantizing and requantizing, so its bytes may differ
// from these by one; docs/guest-programs.md#the-tflite-model says how the tests compare.
import { mnistText, readPgm } from '../mnist-classifier/reference.js';
import { readTflite, type TfliteModel, type TfliteTensor } from '../support/tflite.js';
import { files, need, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';
import { DIGIT, MODEL } from './generate.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

// gemmlowp's scalar primitives on int32 values (JS numbers holding int32s; products in BigInt).

/** (a * b) / 2^31 rounded to nearest, saturating -1 * -1 (ARM's VQRDMULH). */
function doublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  // BigInt division truncates toward zero, as C++'s does.
  return Number((ab + nudge) / (1n << 31n));
}

/** x / 2^exponent rounded to nearest, ties away from zero. */
function roundingDivideByPot(x: number, exponent: number): number {
  const big = BigInt(x);
  const mask = (1n << BigInt(exponent)) - 1n;
  const remainder = big & mask;
  const threshold = (mask >> 1n) + (big < 0n ? 1n : 0n);
  return Number((big >> BigInt(exponent)) + (remainder > threshold ? 1n : 0n));
}

/** x * 2^exponent: saturating when exponent > 0, rounding when exponent < 0. */
function multiplyByPot(x: number, exponent: number): number {
  if (exponent < 0) return roundingDivideByPot(x, -exponent);
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x * 2 ** exponent;
}

const add = (a: number, b: number): number => (a + b) | 0;

/** exp(a) for a in [-1/4, 0), both with 0 integer bits (Q0.31). */
function expOnInterval(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const oneThird = 715827883;
  const x = add(a, 1 << 28); // a + 1/8
  const x2 = doublingHighMul(x, x);
  const x3 = doublingHighMul(x2, x);
  const x4 = doublingHighMul(x2, x2);
  const x4Over4 = multiplyByPot(x4, -2);
  const poly = multiplyByPot(add(doublingHighMul(add(x4Over4, x3), oneThird), x2), -1);
  return add(constantTerm, doublingHighMul(constantTerm, add(x, poly)));
}

/** exp(a) for a <= 0 given with `integerBits` integer bits; the result in Q0.31. */
function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 1 << (fractionalBits - 2);
  const aModQuarterMinusOneQuarter = add(a & (oneQuarter - 1), -oneQuarter);
  let result = expOnInterval(multiplyByPot(aModQuarterMinusOneQuarter, integerBits));
  const remainder = add(aModQuarterMinusOneQuarter, -a);
  // exp(-2^k) for k = -2..4, multiplied in for each bit of the remainder.
  const barrel: ReadonlyArray<readonly [number, number]> = [
    [-2, 1672461947],
    [-1, 1302514674],
    [0, 790015084],
    [1, 290630308],
    [2, 39332535],
    [3, 720401],
    [4, 242],
  ];
  for (const [exponent, multiplier] of barrel)
    if (integerBits > exponent && (remainder & (1 << (fractionalBits + exponent))) !== 0)
      result = doublingHighMul(result, multiplier);
  if (integerBits > 5) throw new Error('exp of more than 5 integer bits is not needed here');
  return a === 0 ? INT32_MAX : result;
}

/** 1 / (1 + a) for a in [0, 1) (Q0.31), by three Newton-Raphson steps in Q2.29. */
function oneOverOnePlusX(a: number): number {
  const sum = a + INT32_MAX;
  const halfDenominator = Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
  let x = add(1515870810, doublingHighMul(halfDenominator, -1010580540)); // 48/17 - 32/17 d
  for (let i = 0; i < 3; i++) {
    const oneMinus = add(1 << 29, -doublingHighMul(halfDenominator, x));
    x = add(x, multiplyByPot(doublingHighMul(x, oneMinus), 2));
  }
  return multiplyByPot(x, 1);
}

/** frexp: d = q * 2^e with q in [0.5, 1). */
function frexp(d: number): [number, number] {
  let e = Math.ceil(Math.log2(d));
  let q = d / 2 ** e;
  if (q >= 1) [q, e] = [q / 2, e + 1];
  if (q < 0.5) [q, e] = [q * 2, e - 1];
  return [q, e];
}

/** TensorFlow Lite's QuantizeMultiplier: d = m / 2^31 * 2^shift with m in [2^30, 2^31). */
function quantizeMultiplier(d: number): { multiplier: number; shift: number } {
  if (d === 0) return { multiplier: 0, shift: 0 };
  const [q, exponent] = frexp(d);
  let shift = exponent;
  let fixed = Math.round(q * 2 ** 31);
  if (fixed === 2 ** 31) [fixed, shift] = [fixed / 2, shift + 1];
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: fixed, shift };
}

/** MultiplyByQuantizedMultiplier: x * m / 2^31 * 2^shift, rounded twice as TFLite does. */
function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPot(doublingHighMul(x * 2 ** left, multiplier), right);
}

class UnsupportedModel extends Error {}

const elements = (t: TfliteTensor): number => t.shape.reduce((a, b) => a * b, 1);

function quantization(t: TfliteTensor, what: string) {
  if (!t.quantization) throw new UnsupportedModel(`${what} ${t.name} is not quantized`);
  return t.quantization;
}

function fullyConnected(
  model: TfliteModel,
  op: { inputs: readonly number[]; outputs: readonly number[]; activation: string },
  x: Uint8Array,
): Uint8Array {
  const [inT, wT, bT] = op.inputs.map((i) => model.tensors[i] as TfliteTensor);
  const outT = model.tensors[op.outputs[0] as number] as TfliteTensor;
  if (!inT || !wT?.data || wT.type !== 'uint8' || outT.type !== 'uint8')
    throw new UnsupportedModel('FULLY_CONNECTED needs uint8 constant weights');
  const [units, depth] = wT.shape as [number, number];
  if (wT.shape.length !== 2 || depth * units !== wT.data.length || x.length !== depth)
    throw new UnsupportedModel(
      `FULLY_CONNECTED weights ${wT.shape.join('x')} on ${x.length} values`,
    );
  const [inQ, wQ, outQ] = [
    quantization(inT, 'input'),
    quantization(wT, 'weights'),
    quantization(outT, 'output'),
  ];
  let bias: Int32Array | undefined;
  if (bT) {
    if (bT.type !== 'int32' || !bT.data || bT.data.length !== 4 * units)
      throw new UnsupportedModel('FULLY_CONNECTED needs int32 constant biases, one per unit');
    const view = new DataView(bT.data.buffer, bT.data.byteOffset, bT.data.byteLength);
    bias = Int32Array.from({ length: units }, (_, i) => view.getInt32(4 * i, true));
  }
  // The scales are f32 in the file; TFLite multiplies input and weight scales in f32, then divides
  // in f64 (GetQuantizedConvolutionMultipler).
  const { multiplier, shift } = quantizeMultiplier(Math.fround(inQ.scale * wQ.scale) / outQ.scale);
  // TfLiteRound: halves away from zero.
  const level = (real: number) => {
    const v = Math.fround(real / outQ.scale);
    return outQ.zeroPoint + Math.sign(v) * Math.round(Math.abs(v));
  };
  const [low, high] =
    op.activation === 'RELU'
      ? [Math.max(0, level(0)), 255]
      : op.activation === 'RELU6'
        ? [Math.max(0, level(0)), Math.min(255, level(6))]
        : op.activation === 'RELU_N1_TO_1'
          ? [Math.max(0, level(-1)), Math.min(255, level(1))]
          : [0, 255];
  const out = new Uint8Array(units);
  for (let u = 0; u < units; u++) {
    let acc = 0;
    for (let d = 0; d < depth; d++)
      acc +=
        ((wT.data[u * depth + d] as number) - wQ.zeroPoint) * ((x[d] as number) - inQ.zeroPoint);
    acc += bias?.[u] ?? 0;
    const scaled = multiplyByQuantizedMultiplier(acc, multiplier, shift) + outQ.zeroPoint;
    out[u] = Math.min(high, Math.max(low, scaled));
  }
  return out;
}

function softmax(inT: TfliteTensor, outT: TfliteTensor, beta: number, x: Uint8Array): Uint8Array {
  const outQ = quantization(outT, 'output');
  if (outT.type !== 'uint8' || outQ.scale !== 1 / 256 || outQ.zeroPoint !== 0)
    throw new UnsupportedModel('a uint8 SOFTMAX output has scale 1/256 and zero point 0');
  // Input differences go to Q5.26 (kScaledDiffIntegerBits = 5); sums are Q12.19.
  const scaledDiffBits = 5;
  const real = Math.min(
    beta * quantization(inT, 'input').scale * 2 ** (31 - scaledDiffBits),
    2 ** 31 - 1,
  );
  const { multiplier, shift: leftShift } = quantizeMultiplier(real);
  if (leftShift < 0) throw new UnsupportedModel('a SOFTMAX input scale below its range');
  const diffMin = -Math.floor(
    ((2 ** scaledDiffBits - 1) * 2 ** (31 - scaledDiffBits)) / 2 ** leftShift,
  );
  const max = Math.max(...x);
  const exps = Array.from(x, (q) => {
    const diff = q - max;
    if (diff < diffMin) return undefined;
    return expOnNegativeValues(doublingHighMul(diff * 2 ** leftShift, multiplier), scaledDiffBits);
  });
  let sum = 0;
  for (const e of exps) if (e !== undefined) sum = add(sum, multiplyByPot(e, -12));
  // GetReciprocal: 1 / sum as a Q0.31 scale and the bits sum has above 1.
  const headroomPlusOne = Math.clz32(sum);
  const bitsOverUnit = 12 - headroomPlusOne;
  const shiftedSumMinusOne = (((sum << headroomPlusOne) >>> 0) - 2 ** 31) | 0;
  const shiftedScale = oneOverOnePlusX(shiftedSumMinusOne);
  const exponent = bitsOverUnit + 31 - 8;
  return Uint8Array.from(exps, (e) =>
    e === undefined
      ? 0
      : Math.min(255, Math.max(0, roundingDivideByPot(doublingHighMul(shiftedScale, e), exponent))),
  );
}

/** The model's one output tensor for `input`, the bytes of its one input tensor. */
export function runTflite(model: TfliteModel, input: Uint8Array): Uint8Array {
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new UnsupportedModel('one input and one output');
  const values = new Map<number, Uint8Array>();
  const inT = model.tensors[model.inputs[0] as number] as TfliteTensor;
  if (inT.type !== 'uint8' || input.length !== elements(inT))
    throw new UnsupportedModel(
      `the input takes ${elements(inT)} uint8 values, not ${input.length}`,
    );
  values.set(model.inputs[0] as number, input);
  for (const op of model.operators) {
    const x = values.get(op.inputs[0] as number);
    if (!x)
      throw new UnsupportedModel(`${op.op} reads tensor ${op.inputs[0]} before it is computed`);
    const outIndex = op.outputs[0] as number;
    const outT = model.tensors[outIndex] as TfliteTensor;
    switch (op.op) {
      case 'RESHAPE':
        if (elements(outT) !== x.length) throw new UnsupportedModel('RESHAPE changes the size');
        values.set(outIndex, x);
        break;
      case 'FULLY_CONNECTED':
        values.set(outIndex, fullyConnected(model, op, x));
        break;
      case 'SOFTMAX':
        values.set(
          outIndex,
          softmax(model.tensors[op.inputs[0] as number] as TfliteTensor, outT, op.beta, x),
        );
        break;
    }
  }
  const out = values.get(model.outputs[0] as number);
  if (!out) throw new UnsupportedModel('the output is never computed');
  return out;
}

/** The output tensor (ten uint8 probabilities) for one run's digit and model. */
export function outputTensor(run: ExampleRun): Uint8Array {
  return runTflite(readTflite(need(run, MODEL)), readPgm(need(run, DIGIT), 28, 28));
}

export function reference(run: ExampleRun): GuestFiles {
  return files([['/output/mnist.txt', utf8(mnistText([...outputTensor(run)]))]]);
}
