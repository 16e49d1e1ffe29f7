// TensorFlow Lite model files (`.tflite`): the subset of TensorFlow Lite's schema
// (tensorflow/lite/schema/schema.fbs, schema version 3, file identifier "TFL3") that a quantized
// classifier needs, written with support/flatbuffers.ts and read back by its reader. The
// tflite-inference-native-mnist generator writes its model with `writeTflite`; the example's
// reference reads it with `readTflite` (docs/guest-programs.md#the-tflite-model).
//
// Field indices, as the schema orders the fields of each table (a union takes two: type, value):
//   Model          0 version:uint, 1 operator_codes:[OperatorCode], 2 subgraphs:[SubGraph],
//                  3 description:string, 4 buffers:[Buffer]
//   OperatorCode   0 builtin_code:byte (renamed deprecated_builtin_code when codes outgrew a
//                  byte), 1 custom_code:string, 2 version:int = 1, 3 builtin_code:int
//   SubGraph       0 tensors:[Tensor], 1 inputs:[int], 2 outputs:[int], 3 operators:[Operator],
//                  4 name:string
//   Tensor         0 shape:[int], 1 type:TensorType(byte), 2 buffer:uint, 3 name:string,
//                  4 quantization:QuantizationParameters
//   QuantizationParameters  0 min:[float], 1 max:[float], 2 scale:[float], 3 zero_point:[long]
//   Operator       0 opcode_index:uint, 1 inputs:[int], 2 outputs:[int],
//                  3 builtin_options_type:ubyte, 4 builtin_options:table
//   Buffer         0 data:[ubyte] (force_align: 16)
//   FullyConnectedOptions 0 fused_activation_function:byte; SoftmaxOptions 0 beta:float;
//   ReshapeOptions 0 new_shape:[int]
import {
  FbReader,
  FlatbufferError,
  fbFinish,
  fbObjects,
  fbScalar,
  fbScalars,
  fbString,
  fbTable,
  type FbObject,
  type FbTableReader,
} from './flatbuffers.js';

/** TensorType values. */
const TENSOR_TYPES = { float32: 0, int32: 2, uint8: 3, int8: 9 } as const;
type TfliteType = keyof typeof TENSOR_TYPES;

/** BuiltinOperator codes, and the BuiltinOptions union member of each operator's options. */
const OPERATORS = {
  FULLY_CONNECTED: { code: 9, options: 8 },
  RESHAPE: { code: 22, options: 17 },
  SOFTMAX: { code: 25, options: 9 },
} as const;

/** ActivationFunctionType values. */
const ACTIVATIONS = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3 } as const;
type TfliteActivation = keyof typeof ACTIVATIONS;

interface TfliteQuantization {
  readonly scale: number;
  readonly zeroPoint: number;
}

export interface TfliteTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: TfliteType;
  /** Constant contents (weights, biases) as stored, little-endian; absent for activations. */
  readonly data?: Uint8Array;
  readonly quantization?: TfliteQuantization;
}

type TfliteOperator = {
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
} & (
  | { readonly op: 'FULLY_CONNECTED'; readonly activation: TfliteActivation }
  | { readonly op: 'SOFTMAX'; readonly beta: number }
  | { readonly op: 'RESHAPE'; readonly newShape: readonly number[] }
);

/** One subgraph's model: tensors, the indices of its inputs and outputs, operators in order. */
export interface TfliteModel {
  readonly description: string;
  readonly tensors: readonly TfliteTensor[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly operators: readonly TfliteOperator[];
}

const i32 = (value: number) => fbScalar('i32', value);

function quantizationTable(q: TfliteQuantization): FbObject {
  return fbTable([
    undefined,
    undefined,
    fbScalars('f32', [q.scale]),
    fbScalars('i64', [BigInt(q.zeroPoint)]),
  ]);
}

function optionsTable(op: TfliteOperator): FbObject {
  switch (op.op) {
    case 'FULLY_CONNECTED':
      return fbTable([fbScalar('i8', ACTIVATIONS[op.activation])]);
    case 'SOFTMAX':
      return fbTable([fbScalar('f32', op.beta)]);
    case 'RESHAPE':
      return fbTable([fbScalars('i32', op.newShape)]);
  }
}

/** The `.tflite` bytes of `model` (one subgraph; buffer 0 is the empty one the schema requires). */
export function writeTflite(model: TfliteModel): Uint8Array {
  const opNames = [...new Set(model.operators.map((o) => o.op))];
  const buffers: FbObject[] = [fbTable([])];
  const tensors = model.tensors.map((t) => {
    let buffer = 0;
    if (t.data) {
      buffer = buffers.length;
      buffers.push(fbTable([fbScalars('u8', t.data, 16)]));
    }
    return fbTable([
      fbScalars('i32', t.shape),
      fbScalar('i8', TENSOR_TYPES[t.type]),
      fbScalar('u32', buffer),
      fbString(t.name),
      t.quantization ? quantizationTable(t.quantization) : undefined,
    ]);
  });
  const operators = model.operators.map((o) =>
    fbTable([
      fbScalar('u32', opNames.indexOf(o.op)),
      fbScalars('i32', o.inputs),
      fbScalars('i32', o.outputs),
      fbScalar('u8', OPERATORS[o.op].options),
      optionsTable(o),
    ]),
  );
  // The code goes in both builtin_code fields: readers of the byte-sized field (Arm NN 20.08's
  // schema) and of the int32 one (TensorFlow Lite 2.4 on) find it.
  const operatorCodes = opNames.map((name) =>
    fbTable([fbScalar('i8', OPERATORS[name].code), undefined, i32(1), i32(OPERATORS[name].code)]),
  );
  const subgraph = fbTable([
    fbObjects(tensors),
    fbScalars('i32', model.inputs),
    fbScalars('i32', model.outputs),
    fbObjects(operators),
    fbString('main'),
  ]);
  return fbFinish(
    fbTable([
      fbScalar('u32', 3),
      fbObjects(operatorCodes),
      fbObjects([subgraph]),
      fbString(model.description),
      fbObjects(buffers),
    ]),
    'TFL3',
  );
}

/** What `readTflite` refuses: not a `.tflite` file, or one outside the subset above. */
export class TfliteFormatError extends Error {}

const nameOf = <T extends Record<string, number | { code: number }>>(
  table: T,
  value: number,
  what: string,
): keyof T & string => {
  const found = Object.entries(table).find(
    ([, v]) => (typeof v === 'number' ? v : v.code) === value,
  );
  if (!found) throw new TfliteFormatError(`${what} ${value} is not supported`);
  return found[0];
};

function readTensor(t: FbTableReader, i: number, buffers: readonly Uint8Array[]): TfliteTensor {
  const what = `tensor ${i}`;
  const type = nameOf(TENSOR_TYPES, t.scalar(1, 'i8', 0), `${what}: type`);
  const buffer = t.scalar(2, 'u32', 0);
  if (buffer >= buffers.length)
    throw new TfliteFormatError(`${what} names buffer ${buffer} of ${buffers.length}`);
  const data = buffers[buffer] as Uint8Array;
  const q = t.table(4, `${what}: quantization`);
  let quantization: TfliteQuantization | undefined;
  if (q) {
    const scales = q.scalars(2, 'f32', `${what}: scales`);
    const zeros = q.scalars(3, 'i64', `${what}: zero points`);
    if (scales.length > 1 || zeros.length > 1)
      throw new TfliteFormatError(`${what} is quantized per channel`);
    if (scales.length === 1)
      quantization = { scale: Number(scales[0]), zeroPoint: Number(zeros[0] ?? 0n) };
  }
  return {
    name: t.string(3, `${what}: name`) ?? '',
    shape: t.scalars(0, 'i32', `${what}: shape`).map(Number),
    type,
    ...(data.length > 0 ? { data } : {}),
    ...(quantization ? { quantization } : {}),
  };
}

function readOperator(o: FbTableReader, i: number, codes: readonly number[]): TfliteOperator {
  const what = `operator ${i}`;
  const index = o.scalar(0, 'u32', 0);
  if (index >= codes.length)
    throw new TfliteFormatError(`${what} names operator code ${index} of ${codes.length}`);
  const op = nameOf(OPERATORS, codes[index] as number, `${what}: builtin operator`);
  const inputs = o.scalars(1, 'i32', `${what}: inputs`).map(Number);
  const outputs = o.scalars(2, 'i32', `${what}: outputs`).map(Number);
  const optionsType = o.scalar(3, 'u8', 0);
  if (optionsType !== 0 && optionsType !== OPERATORS[op].options)
    throw new TfliteFormatError(`${what}: ${op} with options of union type ${optionsType}`);
  const options = o.table(4, `${what}: options`);
  switch (op) {
    case 'FULLY_CONNECTED': {
      const activation = nameOf(
        ACTIVATIONS,
        options?.scalar(0, 'i8', 0) ?? 0,
        `${what}: activation`,
      );
      return { op, inputs, outputs, activation };
    }
    case 'SOFTMAX':
      return { op, inputs, outputs, beta: options?.scalar(0, 'f32', 0) ?? 0 };
    case 'RESHAPE':
      return {
        op,
        inputs,
        outputs,
        newShape: (options?.scalars(0, 'i32', `${what}: new shape`) ?? []).map(Number),
      };
  }
}

/** Reads a `.tflite` file of one subgraph using the operators above. */
export function readTflite(bytes: Uint8Array): TfliteModel {
  try {
    const model = new FbReader(bytes).root('TFL3');
    const version = model.scalar(0, 'u32', 0);
    if (version !== 3) throw new TfliteFormatError(`schema version ${version}, not 3`);
    const codes = model.tables(1, 'the operator codes').map((c) =>
      // The int32 field when present (newer writers), else the byte one.
      Math.max(c.scalar(0, 'i8', 0), c.scalar(3, 'i32', 0)),
    );
    const buffers = model.tables(4, 'the buffers').map((b, i) => b.bytes(0, `buffer ${i}`));
    const subgraphs = model.tables(2, 'the subgraphs');
    if (subgraphs.length !== 1) throw new TfliteFormatError(`${subgraphs.length} subgraphs, not 1`);
    const graph = subgraphs[0] as FbTableReader;
    const tensors = graph.tables(0, 'the tensors').map((t, i) => readTensor(t, i, buffers));
    const index = (field: number, what: string) =>
      graph.scalars(field, 'i32', what).map((v) => {
        const n = Number(v);
        if (n < 0 || n >= tensors.length)
          throw new TfliteFormatError(`${what} name tensor ${n} of ${tensors.length}`);
        return n;
      });
    const operators = graph.tables(3, 'the operators').map((o, i) => readOperator(o, i, codes));
    for (const [i, o] of operators.entries())
      for (const t of [...o.inputs, ...o.outputs])
        if (t < 0 || t >= tensors.length)
          throw new TfliteFormatError(`operator ${i} names tensor ${t} of ${tensors.length}`);
    return {
      description: model.string(3, 'the description') ?? '',
      tensors,
      inputs: index(1, 'the inputs'),
      outputs: index(2, 'the outputs'),
      operators,
    };
  } catch (error) {
    if (error instanceof FlatbufferError)
      throw new TfliteFormatError(`not a TensorFlow Lite model: ${error.message}`);
    throw error;
  }
}
