// Seeded inputs for darknet-inference-native, under the names Veracruz's program asks for: a frame
// of object-detection (64 x 64, one to three shapes; written as a grey PNG, which darknet's
// stb_image reads whatever the file's name), object-detection's detector trained with darknet's
// box sizes and written as darknet's .cfg and .weights, and the labels as darknet's .names.
//
// The detector is object-detection's per-cell network (576-24-8 over the 24 x 24 pixels centred on
// each 8 x 8 cell) as darknet layers: a [convolutional] of 24 filters, size 24, stride 8, padding 8
// (one output per cell, ReLU), a 1 x 1 [convolutional] of 8 filters (linear) and a [region] with
// one anchor of one cell, 3 classes and a softmax. The first layer's weights are split evenly over
// the frame's three (equal) colour channels; the second's outputs are reordered to darknet's
// (x, y, w, h, objectness, classes). The net does not depend on the seed; it is trained once per
// process (docs/guest-programs.md#darknet-inference-native).
import { darknetCfg, darknetWeights, type DarknetNet } from '../support/darknet-net.js';
import { encodePng } from '../support/png.js';
import type { FloatLayer } from '../support/quantized-net.js';
import { files, utf8, type ExampleRun } from '../support/types.js';
import {
  CELL,
  LABEL_NAMES,
  PATCH,
  SIDE,
  frame,
  trainDetector,
} from '../object-detection/generate.js';

// Veracruz's file names (crates/examples/rust-examples/darknet-inference-native).
export const IMAGE = '/input/image.jpg';
export const CFG = '/input/yolov3.cfg';
export const WEIGHTS = '/input/yolov3.weights';
export const LABELS = '/input/coco.names';
export const PREDICTION = '/output/prediction.log';

/** Darknet's output order: box x, y, w, h, the objectness, then the classes. */
const DARKNET_ORDER = [4, 5, 6, 7, 0, 1, 2, 3];

let trained: DarknetNet | undefined;

/** The detector as darknet layers, trained on the first call. */
function detectorNet(): DarknetNet {
  if (trained) return trained;
  const [hidden, out] = trainDetector('log').layers as [FloatLayer, FloatLayer];
  const channels = 3;
  const first = new Float32Array(hidden.outputs * channels * PATCH * PATCH);
  for (let f = 0; f < hidden.outputs; f++)
    for (let c = 0; c < channels; c++)
      for (let i = 0; i < PATCH * PATCH; i++)
        first[(f * channels + c) * PATCH * PATCH + i] = hidden.w[f * PATCH * PATCH + i]! / channels;
  const second = new Float32Array(out.outputs * out.inputs);
  DARKNET_ORDER.forEach((row, r) =>
    second.set(out.w.subarray(row * out.inputs, (row + 1) * out.inputs), r * out.inputs),
  );
  trained = {
    width: SIDE,
    height: SIDE,
    channels,
    convs: [
      {
        filters: hidden.outputs,
        size: PATCH,
        stride: CELL,
        padding: CELL,
        activation: 'relu',
        weights: first,
        biases: Float32Array.from(hidden.b),
      },
      {
        filters: out.outputs,
        size: 1,
        stride: 1,
        padding: 0,
        activation: 'linear',
        weights: second,
        biases: Float32Array.from(DARKNET_ORDER, (row) => out.b[row]!),
      },
    ],
    region: { classes: LABEL_NAMES.length, num: 1, anchors: [1, 1], softmax: true },
  };
  return trained;
}

export function generate(seed: number, _size: number): ExampleRun {
  const net = detectorNet();
  return {
    files: files([
      [
        IMAGE,
        encodePng(
          { width: SIDE, height: SIDE, colour: 0, pixels: frame(seed).pixels },
          { filter: () => 1 },
        ),
      ],
      [CFG, utf8(darknetCfg(net))],
      [WEIGHTS, darknetWeights(net)],
      [LABELS, utf8(`${LABEL_NAMES.join('\n')}\n`)],
    ]),
  };
}
