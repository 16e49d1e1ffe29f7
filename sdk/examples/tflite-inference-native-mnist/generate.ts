// Seeded data for tflite-inference-native-mnist: the digit mnist-classifier's generator draws for
// the seed (a 28 x 28 binary PGM) and, under Veracruz's file name, a TensorFlow Lite model of the
// network mnist-classifier's generator trains, uint8-quantized (docs/guest-programs.md#the-tflite-
// model): input uint8 [1, 28, 28, 1] -> RESHAPE [1, 784] -> FULLY_CONNECTED (32, fused RELU) ->
// FULLY_CONNECTED (10) -> SOFTMAX (uint8, scale 1/256, zero point 0). The model does not depend
// on the seed.
import { DIGIT, generate as mnistGenerate, trainedMnist } from '../mnist-classifier/generate.js';
import { writeTflite, type TfliteTensor } from '../support/tflite.js';
import { files, need, type ExampleRun } from '../support/types.js';

export { DIGIT };
export const MODEL = '/input/MNISTnet_uint8_quant.tflite';

/** int32 values as the little-endian bytes of a TFLite buffer. */
function int32Bytes(values: Int32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setInt32(i * 4, v, true));
  return out;
}

let model: Uint8Array | undefined;

/** The `.tflite` bytes, built on the first call, then kept. */
function mnistTflite(): Uint8Array {
  if (model) return model;
  const { layers, scales } = trainedMnist();
  const [hidden, logits] = layers;
  const [hiddenScales, logitsScales] = scales;
  if (!hidden || !logits || !hiddenScales || !logitsScales || layers.length !== 2)
    throw new Error('the MNIST network has two dense layers');
  const q = (scale: number, zeroPoint: number) => ({ scale: Math.fround(scale), zeroPoint });
  type Layer = typeof hidden;
  type Scales = typeof hiddenScales;
  /**
   * A dense layer's weights, bias and output tensors. TensorFlow Lite requires a bias's scale to be
   * the input's times the weights' (as stored, f32).
   */
  const dense = (prefix: string, output: string, layer: Layer, scales: Scales): TfliteTensor[] => [
    {
      name: `${prefix}/weights`,
      shape: [layer.outputs, layer.inputs],
      type: 'uint8',
      data: layer.weights,
      quantization: q(scales.weight, layer.weightZero),
    },
    {
      name: `${prefix}/bias`,
      shape: [layer.outputs],
      type: 'int32',
      data: int32Bytes(layer.biases),
      quantization: {
        scale: Math.fround(Math.fround(scales.input) * Math.fround(scales.weight)),
        zeroPoint: 0,
      },
    },
    {
      name: output,
      shape: [1, layer.outputs],
      type: 'uint8',
      quantization: q(scales.output, layer.outputZero),
    },
  ];
  const input = q(hiddenScales.input, hidden.inputZero);
  const tensors: TfliteTensor[] = [
    { name: 'input', shape: [1, 28, 28, 1], type: 'uint8', quantization: input },
    { name: 'flatten', shape: [1, 784], type: 'uint8', quantization: input },
    ...dense('dense', 'dense/relu', hidden, hiddenScales),
    // The second layer's input is the first's output (logitsScales.input is hiddenScales.output).
    ...dense('logits', 'logits', logits, logitsScales),
    {
      name: 'probabilities',
      shape: [1, logits.outputs],
      type: 'uint8',
      quantization: { scale: 1 / 256, zeroPoint: 0 },
    },
  ];
  model = writeTflite({
    description: 'Veracruz-TS tflite-inference-native-mnist: a 784-32-10 network, uint8',
    tensors,
    inputs: [0],
    outputs: [8],
    operators: [
      { op: 'RESHAPE', inputs: [0], outputs: [1], newShape: [1, 784] },
      { op: 'FULLY_CONNECTED', inputs: [1, 2, 3], outputs: [4], activation: 'RELU' },
      { op: 'FULLY_CONNECTED', inputs: [4, 5, 6], outputs: [7], activation: 'NONE' },
      { op: 'SOFTMAX', inputs: [7], outputs: [8], beta: 1 },
    ],
  });
  return model;
}

export function generate(seed: number, size: number): ExampleRun {
  return {
    files: files([
      [DIGIT, need(mnistGenerate(seed, size), DIGIT)],
      [MODEL, mnistTflite()],
    ]),
  };
}
