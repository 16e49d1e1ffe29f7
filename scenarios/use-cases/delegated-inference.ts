// Delegated streaming inference (Veracruz's camera demonstration): a weak device, whose only right
// is to write its frame, streams generated frames sealed to the attested enclave; the enclave runs
// the object-detection example on each one under a tiny budget (the policy's memory, time and
// storage limits); only the device's owner reads the per-frame predictions. The host, the bus and
// the device itself never see a prediction, and nobody but the device and the enclave a frame.
// Every prediction is checked against the TypeScript reference detector; the run reports frames
// per second, latency per frame (p50, p95) and bytes on the bus against plaintext bytes.
import { exampleNamed } from '../../sdk/index.js';
import { percentile } from '../percentile.js';
import type { Measurement, RunFacts, Scenario, Turn } from '../scenario.js';
import { exampleProgram, sourceMap, verdictFor } from './support.js';

const PROGRAM = 'object-detection';
/** Frames the device streams in one run. */
export const FRAMES = 8;
/** The frame's path: the device's only right is to write it. */
const IMAGE = '/input/image.pgm';
const MODEL = '/input/detector.vcqn';
const LABELS = '/input/labels.names';

/**
 * The tiny budget: the guest's memory (the detector's own cap), ten seconds per execution, and room
 * in the file system for the program, the model, one frame and one prediction (about 150 KiB).
 */
export const DELEGATED_LIMITS = {
  maxMemoryMib: 8,
  executionTimeoutMs: 10_000,
  storageQuotaBytes: 256 * 1024,
} as const;

/** Round index of frame `i`'s upload; its execution and read are the round after. */
export const frameRound = (i: number): number => 1 + 2 * i;

export const delegatedInference: Scenario = {
  name: 'delegated-inference',
  title: 'Delegated inference over a sealed stream of frames',
  summary:
    'A weak camera (write on its frame only, a tiny budget) streams sealed frames to the enclave, ' +
    "which runs the owner's object detector on each; only the owner reads the per-frame " +
    'predictions, and the host and the bus see only ciphertext.',
  plan(seed) {
    const example = exampleNamed(PROGRAM);
    const program = exampleProgram(PROGRAM, ['/input/:r', '/output/:w']);
    const output = example.outputs[0]!;
    const frames = Array.from({ length: FRAMES }, (_, i) => example.generate(seed + i, 1));
    const first = frames[0]!;
    const rounds: Turn[][] = [
      [
        {
          party: 'owner',
          steps: [
            { op: 'program', path: program.path, source: 'wasm' },
            { op: 'data', path: MODEL, source: 'model', mode: 'write' },
            { op: 'data', path: LABELS, source: 'labels', mode: 'write' },
          ],
        },
      ],
    ];
    for (let i = 0; i < FRAMES; i++) {
      rounds.push([
        {
          party: 'device',
          steps: [{ op: 'data', path: IMAGE, source: `frame-${i}`, mode: 'write' }],
        },
      ]);
      rounds.push([
        {
          party: 'owner',
          steps: [
            { op: 'compute', program: program.path },
            { op: 'result', path: output, destination: `prediction-${i}` },
          ],
        },
      ]);
    }
    rounds.push([{ party: 'owner', steps: [{ op: 'shutdown' }] }]);
    const frameBytes = frames.map((f) => f.files.get(IMAGE)!);
    const expected = frames.map((f) => example.reference(f).get(output)!);
    const provisioned = [program.wasm, first.files.get(MODEL)!, first.files.get(LABELS)!];
    return {
      parties: [
        {
          name: 'owner',
          role: "the device's owner: provides the detector, runs it, reads every prediction",
          capabilities: ['/program/:wx', `${MODEL}:w`, `${LABELS}:w`, '/output/:r'],
        },
        {
          name: 'device',
          role: 'the weak camera: seals and streams its frames, reads nothing',
          capabilities: [`${IMAGE}:w`],
        },
      ],
      programs: [program],
      limits: DELEGATED_LIMITS,
      rounds,
      sources: sourceMap({
        owner: {
          wasm: program.wasm,
          model: first.files.get(MODEL)!,
          labels: first.files.get(LABELS)!,
        },
        device: Object.fromEntries(frameBytes.map((bytes, i) => [`frame-${i}`, bytes])),
      }),
      check: (results) => {
        const failed = expected
          .map((bytes, i) =>
            verdictFor(
              results,
              [{ party: 'owner', label: `prediction-${i}` }],
              bytes,
              () => `frame ${i}`,
            ),
          )
          .filter((v) => !v.ok);
        if (failed.length > 0)
          return {
            ok: false,
            headline: 'a prediction differs from the reference detector',
            details: failed.flatMap((v) => v.details),
          };
        const found = expected.reduce((n, b) => n + lineCount(b), 0);
        return {
          ok: true,
          headline: `${FRAMES} frames' predictions equal the reference detector (${found} detections)`,
          details: ['only the owner read them; the device read nothing'],
        };
      },
      measure: (facts) =>
        measureFrames(facts, {
          frames: sum(frameBytes.map((b) => b.length)),
          predictions: sum(expected.map((b) => b.length)),
          provisioned: sum(provisioned.map((b) => b.length)),
        }),
    };
  },
};

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

function lineCount(bytes: Uint8Array): number {
  return new TextDecoder().decode(bytes).split('\n').filter(Boolean).length;
}

/**
 * Per frame, the latency is the device's upload round plus the owner's execution-and-read round
 * (from the frame leaving the device to its prediction in the owner's hands); the rate is the
 * frames over the sum of those latencies (the stream is sequential).
 */
function measureFrames(
  facts: RunFacts,
  plaintext: { frames: number; predictions: number; provisioned: number },
): readonly Measurement[] {
  const latencies = Array.from(
    { length: FRAMES },
    (_, i) => (facts.roundMs[frameRound(i)] ?? NaN) + (facts.roundMs[frameRound(i) + 1] ?? NaN),
  );
  const streamMs = sum(latencies);
  const plain = plaintext.frames + plaintext.predictions + plaintext.provisioned;
  return [
    { name: 'frames', value: FRAMES, unit: 'frames' },
    { name: 'frames per second', value: (FRAMES * 1000) / streamMs, unit: 'frames/s' },
    { name: 'latency per frame p50', value: percentile(latencies, 50), unit: 'ms' },
    { name: 'latency per frame p95', value: percentile(latencies, 95), unit: 'ms' },
    {
      name: 'plaintext bytes of frames and predictions',
      value: plaintext.frames + plaintext.predictions,
      unit: 'B',
    },
    { name: 'plaintext bytes in all (with program, model, labels)', value: plain, unit: 'B' },
    {
      name: 'bytes on the bus (signed messages and sealed chunks)',
      value: facts.busBytes,
      unit: 'B',
    },
    { name: 'bus bytes per plaintext byte', value: facts.busBytes / plain, unit: 'x' },
  ];
}
