// The FlatBuffers writer (flatbuffers.ts) and the TensorFlow Lite model writer (tflite.ts) checked
// against independent readings: bytes worked out by hand from the format's rules, the reader's
// bounds-checked decoding, and Arm NN's TensorFlow Lite parser (Debian's), which verifies a model
// against TensorFlow Lite's schema before reading it and then runs it; its results agree with the
// reference's integer arithmetic within one unit, layer by layer (docs/guest-programs.md#the-tflite-
// model).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { PostcardWriter } from '../../../protocol/index.js';
import { requireResource } from '../../../test-support/requirements.js';
import { MODEL, generate } from '../tflite-inference-native-mnist/generate.js';
import { example } from '../tflite-inference-native-mnist/example.js';
import { runTflite } from '../tflite-inference-native-mnist/reference.js';
import {
  FbReader,
  FlatbufferError,
  fbFinish,
  fbObjects,
  fbScalar,
  fbScalars,
  fbString,
  fbTable,
} from './flatbuffers.js';
import { buildNativeModule, nativeBuildMissing } from './native-build.js';
import { createRng } from './prng.js';
import { TfliteFormatError, readTflite, writeTflite, type TfliteModel } from './tflite.js';

const u32At = (bytes: Uint8Array, at: number): number =>
  new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);

test('a table with a scalar and a string: the bytes worked out by hand', () => {
  const bytes = fbFinish(fbTable([fbScalar('u32', 3), fbString('ab')]), 'TFL3');
  // prettier-ignore
  const expected = [
    0x10, 0, 0, 0, //            0: root offset -> the table at 16
    0x54, 0x46, 0x4c, 0x33, //   4: file identifier "TFL3"
    8, 0, 12, 0, 4, 0, 8, 0, //  8: vtable: 8 bytes, table of 12, field 0 at +4, field 1 at +8
    8, 0, 0, 0, //              16: table: soffset 8 -> vtable at 16 - 8
    3, 0, 0, 0, //              20: field 0, u32 3
    4, 0, 0, 0, //              24: field 1, offset -> the string at 24 + 4
    2, 0, 0, 0, 0x61, 0x62, 0, //  28: string: length 2, "ab", terminating 0
  ];
  assert.deepEqual([...bytes], expected);
  const root = new FbReader(bytes).root('TFL3');
  assert.equal(root.scalar(0, 'u32', 0), 3);
  assert.equal(root.string(1, 'the name'), 'ab');
  // A field past the vtable is absent: the schema's default.
  assert.equal(root.scalar(5, 'i32', 42), 42);
});

test("vectors' elements are aligned from the buffer's start: 16 for forced bytes, 8 for i64", () => {
  for (const prefix of [0, 1, 2, 3, 5]) {
    const bytes = fbFinish(
      fbTable([
        fbString('x'.repeat(prefix)),
        fbScalars('u8', Uint8Array.from([1, 2, 3]), 16),
        fbScalars('i64', [-1n, 2n]),
      ]),
    );
    const root = new FbReader(bytes).root();
    const table = u32At(bytes, 0);
    const vtable = table - u32At(bytes, table);
    const target = (field: number) => {
      const slot = table + (bytes[vtable + 4 + 2 * field] as number);
      return slot + u32At(bytes, slot);
    };
    assert.equal((target(1) + 4) % 16, 0, `bytes after a string of ${prefix}`);
    assert.equal((target(2) + 4) % 8, 0, `i64s after a string of ${prefix}`);
    assert.deepEqual([...root.bytes(1, 'bytes')], [1, 2, 3]);
    assert.deepEqual(root.scalars(2, 'i64', 'longs'), [-1n, 2n]);
  }
});

test('tables of tables, absent fields and vectors of tables read back', () => {
  const bytes = fbFinish(
    fbTable([
      undefined,
      fbObjects([fbTable([fbScalar('i8', -2)]), fbTable([])]),
      fbScalar('f32', 0.5),
    ]),
  );
  const root = new FbReader(bytes).root();
  assert.equal(root.has(0), false);
  const items = root.tables(1, 'items');
  assert.equal(items.length, 2);
  assert.equal(items[0]!.scalar(0, 'i8', 0), -2);
  assert.equal(items[1]!.scalar(0, 'i8', 7), 7);
  assert.equal(root.scalar(2, 'f32', 0), 0.5);
});

/** A small model using every operator the writer knows. */
const tiny: TfliteModel = {
  description: 'tiny',
  tensors: [
    { name: 'in', shape: [1, 2, 2, 1], type: 'uint8', quantization: { scale: 0.5, zeroPoint: 3 } },
    { name: 'flat', shape: [1, 4], type: 'uint8', quantization: { scale: 0.5, zeroPoint: 3 } },
    {
      name: 'w',
      shape: [2, 4],
      type: 'uint8',
      data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
      quantization: { scale: 0.25, zeroPoint: 4 },
    },
    {
      name: 'b',
      shape: [2],
      type: 'int32',
      data: Uint8Array.from([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
      quantization: { scale: 0.125, zeroPoint: 0 },
    },
    { name: 'fc', shape: [1, 2], type: 'uint8', quantization: { scale: 1, zeroPoint: 128 } },
    { name: 'p', shape: [1, 2], type: 'uint8', quantization: { scale: 1 / 256, zeroPoint: 0 } },
  ],
  inputs: [0],
  outputs: [5],
  operators: [
    { op: 'RESHAPE', inputs: [0], outputs: [1], newShape: [1, 4] },
    { op: 'FULLY_CONNECTED', inputs: [1, 2, 3], outputs: [4], activation: 'RELU6' },
    { op: 'SOFTMAX', inputs: [4], outputs: [5], beta: 1 },
  ],
};

test("a model reads back as written: the tiny model and the example's", () => {
  assert.deepEqual(readTflite(writeTflite(tiny)), tiny);
  const model = generate(1, 1).files.get(MODEL)!;
  assert.deepEqual(writeTflite(readTflite(model)), model);
  const read = readTflite(model);
  assert.deepEqual(
    read.operators.map((o) => o.op),
    ['RESHAPE', 'FULLY_CONNECTED', 'FULLY_CONNECTED', 'SOFTMAX'],
  );
  assert.deepEqual(read.tensors[8]?.quantization, { scale: 1 / 256, zeroPoint: 0 });
  // The schema's version, and buffer 0 the empty sentinel.
  const root = new FbReader(model).root('TFL3');
  assert.equal(root.scalar(0, 'u32', 0), 3);
  assert.equal(root.tables(4, 'buffers')[0]!.bytes(0, 'buffer 0').length, 0);
});

test('bytes that are not a TensorFlow Lite model are refused with a message, never misread', () => {
  const model = generate(1, 1).files.get(MODEL)!;
  const corrupt = model.slice();
  corrupt.set([0xff, 0xff, 0xff, 0x7f], 0);
  const wrongId = model.slice();
  wrongId.set(new TextEncoder().encode('TFL2'), 4);
  for (const [what, bytes, message] of [
    ['nothing', new Uint8Array(0), /outside the 0 bytes/],
    ['a PGM', new TextEncoder().encode('P5\n28 28\n255\n'), /file identifier/],
    ['another identifier', wrongId, /file identifier "TFL2", not "TFL3"/],
    ['a root offset past the end', corrupt, /outside/],
    ['a truncated model', model.subarray(0, 2000), /outside/],
  ] as const) {
    assert.throws(
      () => readTflite(bytes),
      (e: unknown) => {
        assert.ok(e instanceof TfliteFormatError, `${what}: ${String(e)}`);
        assert.match(e.message, message, what);
        return true;
      },
    );
  }
  assert.throws(() => new FbReader(Uint8Array.from([4, 0, 0, 0])).root(), FlatbufferError);
});

const scratch = mkdtempSync(join(tmpdir(), 'vc-tflite-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const service = example.nativeModules?.find((m) => m.kind === 'dynamic');

function needArmnn(t: TestContext): boolean {
  if (service?.kind !== 'dynamic') throw new Error('the example declares its dynamic module');
  const missing = nativeBuildMissing(service.build);
  return requireResource(t, `Arm NN and g++ (${missing})`, missing === undefined);
}

/** Runs Arm NN (the example's native module, by hand, outside the sandbox) on `model`. */
function armnn(model: TfliteModel, input: Uint8Array): Uint8Array {
  if (service?.kind !== 'dynamic') throw new Error('the example declares its dynamic module');
  const file = (name: string) => join(scratch, name);
  writeFileSync(file('model.tflite'), writeTflite(model));
  writeFileSync(file('in.bin'), input);
  const request = new PostcardWriter()
    .string(file('in.bin'))
    .string(file('model.tflite'))
    .string(file('out.bin'))
    .signed(1, 32)
    .bytes();
  writeFileSync(file('request'), request);
  const run = spawnSync(buildNativeModule(service.build), [file('request')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return new Uint8Array(readFileSync(file('out.bin')));
}

test("Arm NN parses the writer's models and agrees with the reference within one unit, layer by layer", (t) => {
  if (!needArmnn(t)) return;
  const full = readTflite(generate(1, 1).files.get(MODEL)!);
  const logits = full.tensors[7]!;
  // The model cut after each layer, and the softmax alone on the logits' quantization.
  const cuts: Array<{ name: string; model: TfliteModel; width: number }> = [
    { name: 'tiny', model: tiny, width: 4 },
    {
      name: 'hidden',
      model: { ...full, outputs: [4], operators: full.operators.slice(0, 2) },
      width: 784,
    },
    {
      name: 'logits',
      model: { ...full, outputs: [7], operators: full.operators.slice(0, 3) },
      width: 784,
    },
    {
      name: 'softmax',
      model: {
        ...full,
        tensors: full.tensors.map((tensor, i) => (i === 0 ? { ...logits, name: 'input' } : tensor)),
        operators: [{ op: 'SOFTMAX', inputs: [0], outputs: [8], beta: 1 }],
      },
      width: 10,
    },
  ];
  const rng = createRng(20);
  for (const { name, model, width } of cuts)
    for (let k = 0; k < 25; k++) {
      // Full-range bytes, and dimmer or narrower ones (nearer a digit's or a logit's range).
      const input = Uint8Array.from({ length: width }, () =>
        k % 3 === 0 ? rng.below(256) : k % 3 === 1 ? rng.below(64) : 100 + rng.below(40),
      );
      const got = armnn(model, input);
      const want = runTflite(model, input);
      assert.equal(got.length, want.length, name);
      got.forEach((v, i) =>
        assert.ok(
          Math.abs(v - (want[i] as number)) <= 1,
          `${name} #${k}[${i}]: ${v} vs ${want[i]}`,
        ),
      );
    }
});
