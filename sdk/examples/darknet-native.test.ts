// darknet-inference-native beyond the generated runs of native-examples.test.ts: the program's
// request is Veracruz's bytes, the detections find the frame's objects, the module agrees with the
// reference on letterboxed and resized frames of other sizes, and every input of the wrong shape
// (a request that is not postcard, a missing or garbled cfg, weights that do not fit it, an image
// stb_image cannot read, labels for another model, a cfg on which darknet itself gives up) is a
// non-zero exit with a message, never a silent answer.
// docs/guest-programs.md#darknet-inference-native.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import {
  PostcardWriter,
  RIGHTS_ALL,
  RIGHTS_READ,
  RIGHTS_WRITE,
  type Policy,
  type RightsTable,
} from '../../protocol/index.js';
import { Vfs, runProgram, shutdownWorkers } from '../../enclave/index.js';
import { missingSandboxTool } from '../../enclave/testing/index.js';
import { requireResource } from '../../test-support/requirements.js';
import { exampleNamed } from './catalog.js';
import { darknetModuleBuild } from './darknet-inference-native/example.js';
import { CFG, IMAGE, LABELS, PREDICTION, WEIGHTS } from './darknet-inference-native/generate.js';
import {
  VERACRUZ_SETTINGS,
  detect,
  fixed2,
  predictionLog,
  type DarknetSettings,
} from './darknet-inference-native/reference.js';
import { frame, LABEL_NAMES } from './object-detection/generate.js';
import { outputMismatch } from './support/compare.js';
import { readDarknet } from './support/darknet-net.js';
import { buildNativeModule, nativeBuildMissing } from './support/native-build.js';
import { encodePng } from './support/png.js';
import { fromUtf8, need } from './support/types.js';

after(() => shutdownWorkers());

const example = exampleNamed('darknet-inference-native');
const SPECIAL = '/services/darknet_inference.dat';
const NAME = 'Darknet Inference Service';
const rights: RightsTable = [
  { path: '/input/', rights: RIGHTS_READ },
  { path: '/output/', rights: RIGHTS_ALL },
  { path: '/services/', rights: RIGHTS_ALL },
  { path: 'stdout', rights: RIGHTS_ALL },
  { path: 'stderr', rights: RIGHTS_ALL },
];
const scratch = mkdtempSync(join(tmpdir(), 'vc-darknet-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The built module, or undefined (skipped; failed under CI) without gcc, libdarknet or bwrap. */
function moduleBinary(t: TestContext, sandbox = true): string | undefined {
  const lacking =
    nativeBuildMissing(darknetModuleBuild) ?? (sandbox ? missingSandboxTool() : undefined);
  if (!requireResource(t, `the darknet module's build and sandbox (${lacking})`, !lacking))
    return undefined;
  return buildNativeModule(darknetModuleBuild);
}

const dynamic = (entryPoint: string): Policy['nativeModules'] => [
  { name: NAME, type: { kind: 'dynamic', specialFile: SPECIAL, entryPoint } },
];

async function runGuest(
  files: ReadonlyMap<string, Uint8Array>,
  modules: Policy['nativeModules'],
  maxMemoryMib = example.memoryCapMib,
) {
  const vfs = new Vfs();
  for (const [path, data] of files) vfs.writeUnchecked(path, data);
  const result = await runProgram({
    program: new Uint8Array(readFileSync(example.wasmPath)),
    vfs,
    rights,
    nativeModules: modules,
    limits: { maxMemoryMib },
  });
  const prediction = vfs.exists(PREDICTION) ? fromUtf8(vfs.readUnchecked(PREDICTION)) : undefined;
  return {
    result,
    prediction,
    stdout: fromUtf8(result.stdout),
    stderr: fromUtf8(result.stderr),
  };
}

/** Veracruz's DarknetInferenceInput with its example's values (paths) and `settings`. */
function request(settings: DarknetSettings): Uint8Array {
  const w = new PostcardWriter();
  for (const path of [IMAGE, CFG, WEIGHTS, LABELS, PREDICTION]) w.string(path.slice(1));
  return w
    .f32(settings.objectnessThreshold)
    .f32(settings.classThreshold)
    .f32(0.5)
    .f32(settings.iouThreshold)
    .bool(settings.letterbox)
    .bytes();
}

/** Runs the module binary outside the sandbox on `files` under a fresh directory. */
function runModule(
  binary: string,
  files: ReadonlyMap<string, Uint8Array>,
  requestBytes: Uint8Array,
) {
  const dir = mkdtempSync(join(scratch, 'run-'));
  for (const [path, data] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  mkdirSync(join(dir, 'output'), { recursive: true });
  writeFileSync(join(dir, 'request'), requestBytes);
  const run = spawnSync(binary, [join(dir, 'request')], { cwd: dir, encoding: 'utf8' });
  let prediction: string | undefined;
  try {
    prediction = readFileSync(join(dir, PREDICTION), 'utf8');
  } catch {
    prediction = undefined;
  }
  return { status: run.status, stderr: run.stderr, prediction };
}

test("the program's request is Veracruz's DarknetInferenceInput, byte for byte; a module that writes no prediction is exit 1 with a message", async (t) => {
  if (!requireResource(t, `the native sandbox (${missingSandboxTool()})`, !missingSandboxTool()))
    return;
  // A stand-in module that keeps the request and answers nothing.
  const stand = join(scratch, 'keep-request.sh');
  writeFileSync(stand, '#!/bin/sh\ncat /execution_config > /output/request.dat\n');
  chmodSync(stand, 0o755);
  const vfs = new Vfs();
  vfs.writeUnchecked(PREDICTION, new TextEncoder().encode('an old prediction\n'));
  const result = await runProgram({
    program: new Uint8Array(readFileSync(example.wasmPath)),
    vfs,
    rights,
    nativeModules: dynamic(stand),
    limits: { maxMemoryMib: 64 },
  });
  assert.deepEqual(vfs.readUnchecked('/output/request.dat'), request(VERACRUZ_SETTINGS));
  assert.equal(result.exitCode, 1);
  assert.match(
    fromUtf8(result.stderr),
    /the darknet inference service wrote no output\/prediction\.log/,
  );
  // The old prediction was removed before the call, not read as this one's.
  assert.equal(vfs.exists(PREDICTION), false);
  assert.match(
    fromUtf8(result.stdout),
    /^service input DarknetInferenceInput \{ input_path: "input\/image\.jpg", cfg_path: "input\/yolov3\.cfg", model_path: "input\/yolov3\.weights", labels_path: "input\/coco\.names", output_path: "output\/prediction\.log", objectness_threshold: 0\.25, class_threshold: 0\.25, hierarchical_threshold: 0\.5, iou_threshold: 0\.45, letterbox: true \}\ncalling Darknet Inference service\.\.\.\n$/,
  );
});

test('an old prediction the program may not remove (Veracruz\'s "rw" on /output/) is replaced, with a warning', async (t) => {
  const binary = moduleBinary(t);
  if (!binary) return;
  const run = example.generate(6, 1);
  const files = new Map(run.files).set(PREDICTION, new TextEncoder().encode('an old prediction\n'));
  const vfs = new Vfs();
  for (const [path, data] of files) vfs.writeUnchecked(path, data);
  const result = await runProgram({
    program: new Uint8Array(readFileSync(example.wasmPath)),
    vfs,
    rights: [
      ...rights.filter((r) => r.path !== '/output/'),
      { path: '/output/', rights: RIGHTS_READ | RIGHTS_WRITE },
    ],
    nativeModules: dynamic(binary),
    limits: { maxMemoryMib: example.memoryCapMib },
  });
  assert.equal(result.exitCode, 0, fromUtf8(result.stderr));
  assert.match(
    fromUtf8(result.stderr),
    /^warning: cannot remove the old output\/prediction\.log .*: if the service fails, it is read as this prediction$/m,
  );
  const mismatch = outputMismatch(
    new Map([[PREDICTION, vfs.readUnchecked(PREDICTION)]]),
    example.reference(run),
    example.comparison,
  );
  assert.equal(mismatch, undefined);
});

test('the prediction is printed as Veracruz prints it, and equals the reference', async (t) => {
  const binary = moduleBinary(t);
  if (!binary) return;
  const run = example.generate(6, 1);
  const { result, prediction, stdout } = await runGuest(run.files, dynamic(binary));
  assert.equal(result.exitCode, 0, fromUtf8(result.stderr));
  assert.ok(prediction && prediction.split('\n').length > 2, prediction);
  // Rust's {:x?} of the text: quoted, with \t and \n escaped, as JSON writes these characters.
  assert.ok(
    stdout.endsWith(`prediction:\n${JSON.stringify(prediction)}\nservice return\n`),
    stdout,
  );
  const expected = example.reference(run);
  const mismatch = outputMismatch(
    new Map([[PREDICTION, new TextEncoder().encode(prediction)]]),
    expected,
    example.comparison,
  );
  assert.equal(mismatch, undefined);
});

test("the trained detector finds the frame's objects (the reference, 20 frames)", () => {
  let [objects, located, found, stray] = [0, 0, 0, 0];
  for (let seed = 0; seed < 20; seed++) {
    const run = example.generate(seed, 1);
    const net = readDarknet(fromUtf8(need(run, CFG)), need(run, WEIGHTS));
    const detections = detect(net, need(run, IMAGE), VERACRUZ_SETTINGS).map((d) => ({
      ...d,
      px: { x: d.bbox.x * 64, y: d.bbox.y * 64, w: d.bbox.w * 64 },
    }));
    const placed = frame(seed).objects;
    const used = new Set<number>();
    for (const o of placed) {
      objects++;
      const near = (d: (typeof detections)[number], pixels: number): boolean =>
        Math.hypot(d.px.x - o.cx, d.px.y - o.cy) < pixels;
      if (detections.some((d) => near(d, 6))) located++;
      // The right class, the centre within 4 pixels, the size within 40%.
      const k = detections.findIndex(
        (d, i) =>
          !used.has(i) &&
          d.class === o.label &&
          near(d, 4) &&
          Math.abs(d.px.w - o.size) < 0.4 * o.size,
      );
      if (k < 0) continue;
      found++;
      used.add(k);
    }
    stray += detections.filter(
      (d) => !placed.some((o) => Math.hypot(d.px.x - o.cx, d.px.y - o.cy) < 6),
    ).length;
  }
  // A small network (one hidden layer of 24): it locates most objects and names two in three.
  assert.ok(located >= 0.8 * objects, `${located} of ${objects} objects located`);
  assert.ok(found >= 0.65 * objects, `${found} of ${objects} objects found`);
  assert.ok(stray <= objects / 10, `${stray} detections of nothing`);
});

test("the reference prints a percentage as C's %.2f does: the exact f32, ties to even", () => {
  assert.equal(fixed2(Math.fround(12.125)), '12.12');
  assert.equal(fixed2(Math.fround(12.375)), '12.38');
  assert.equal(fixed2(Math.fround(64.845)), '64.85'); // the f32 is 64.84500122...
  assert.equal(fixed2(Math.fround(36.815)), '36.81'); // the f32 is 36.81499863...
  assert.equal(fixed2(100), '100.00');
});

describe('the module on frames of other sizes (letterboxed, or resized), against the reference', () => {
  const run = example.generate(6, 1);
  const net = readDarknet(fromUtf8(need(run, CFG)), need(run, WEIGHTS));
  const cases: [number, number, boolean][] = [
    [80, 64, true],
    [80, 64, false],
    [64, 96, true],
    [128, 128, true],
  ];
  for (const [width, height, letterbox] of cases)
    test(`${width} x ${height}, ${letterbox ? 'letterboxed' : 'resized'}`, (t) => {
      const binary = moduleBinary(t, false);
      if (!binary) return;
      // The frame scaled by nearest neighbour: objects where they were, relative to the image.
      const source = frame(6).pixels;
      const pixels = Uint8Array.from({ length: width * height }, (_, i) => {
        const [x, y] = [i % width, Math.floor(i / width)];
        return source[Math.floor((y * 64) / height) * 64 + Math.floor((x * 64) / width)]!;
      });
      const image = encodePng({ width, height, colour: 0, pixels }, { filter: () => 4 });
      const files = new Map(run.files).set(IMAGE, image);
      const settings = { ...VERACRUZ_SETTINGS, letterbox };
      const { status, stderr, prediction } = runModule(binary, files, request(settings));
      assert.equal(status, 0, stderr);
      const expected = predictionLog(detect(net, image, settings), LABEL_NAMES);
      assert.notEqual(expected, '');
      const mismatch = outputMismatch(
        new Map([[PREDICTION, new TextEncoder().encode(prediction ?? '')]]),
        new Map([[PREDICTION, new TextEncoder().encode(expected)]]),
        example.comparison,
      );
      assert.equal(mismatch, undefined);
    });
});

describe('requests that are not a postcard DarknetInferenceInput: exit 1 and a message', () => {
  const good = request(VERACRUZ_SETTINGS);
  const cases: [string, Uint8Array, RegExp][] = [
    ['CSV text', new TextEncoder().encode('image.jpg,yolov3.cfg\n'), /ends inside input_path/],
    ['one byte short', good.subarray(0, good.length - 1), /ends inside letterbox/],
    ['a trailing byte', Uint8Array.from([...good, 0]), /1 byte\(s\) after it/],
    [
      'letterbox 2',
      Uint8Array.from([...good.subarray(0, good.length - 1), 2]),
      /letterbox .* not a bool/,
    ],
    [
      'a path that is not UTF-8',
      Uint8Array.from([2, 0xc3, 0x28, ...good]),
      /input_path at byte 0 is not UTF-8/,
    ],
    [
      'a NaN threshold',
      new PostcardWriter()
        .raw(good.subarray(0, good.length - 17))
        .f32(Number.NaN)
        .raw(good.subarray(good.length - 13))
        .bytes(),
      /objectness_threshold is nan, not a finite number/,
    ],
    ['an empty request', new Uint8Array(0), /ends inside input_path/],
  ];
  for (const [what, bytes, message] of cases)
    test(what, (t) => {
      const binary = moduleBinary(t, false);
      if (!binary) return;
      const { status, stderr, prediction } = runModule(binary, example.generate(1, 1).files, bytes);
      assert.equal(status, 1);
      assert.match(stderr, /^darknet_inference: /m);
      assert.match(stderr, message);
      assert.equal(prediction, undefined);
    });
});

describe("inputs of the wrong shape, through the program: exit 1, the module's message, no prediction", () => {
  const base = (): Map<string, Uint8Array> => new Map(example.generate(2, 1).files);
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const cfg = fromUtf8(need(example.generate(2, 1), CFG));
  const weights = need(example.generate(2, 1), WEIGHTS);
  const cases: [string, (files: Map<string, Uint8Array>) => void, RegExp][] = [
    ['no cfg', (f) => f.delete(CFG), /cannot read the model configuration input\/yolov3\.cfg/],
    [
      'a cfg that is not one',
      (f) => f.set(CFG, text('hello\n')),
      /line 1 is not a section, a comment or key=value/,
    ],
    [
      'a layer this module does not read',
      (f) => f.set(CFG, text('[net]\nwidth=64\n[lstm]\n')),
      /\[lstm\] is not a section this module reads/,
    ],
    [
      'a cfg that does not end in a detection layer',
      (f) => f.set(CFG, text(cfg.replace(/\[region\][^]*$/, ''))),
      /ends in no \[region\], \[yolo\] or \[detection\] layer/,
    ],
    [
      'a cfg darknet aborts on (a region of the wrong size)',
      (f) =>
        f.set(CFG, text('[net]\nwidth=64\nheight=64\nchannels=3\n[region]\nclasses=3\nnum=1\n')),
      /darknet aborted on this model/,
    ],
    [
      'a cfg naming a file darknet cannot open',
      (f) => f.set(CFG, text(`${cfg}map=input/none.map\n`)),
      /darknet stopped before the prediction was written/,
    ],
    ['no weights', (f) => f.delete(WEIGHTS), /cannot read the weights input\/yolov3\.weights/],
    [
      'truncated weights',
      (f) => f.set(WEIGHTS, weights.subarray(0, 1000)),
      /holds 1000 bytes; the network of its cfg needs 166804/,
    ],
    [
      'weights with a float too many',
      (f) => f.set(WEIGHTS, Uint8Array.from([...weights, 0, 0, 0, 0])),
      /holds 166808 bytes/,
    ],
    [
      'an image that is text',
      (f) => f.set(IMAGE, text('not an image')),
      /input\/image\.jpg is not an image stb_image reads/,
    ],
    [
      'a truncated PNG',
      (f) => f.set(IMAGE, f.get(IMAGE)!.subarray(0, 300)),
      /is not an image stb_image reads/,
    ],
    [
      'labels for another model',
      (f) => f.set(LABELS, text('a\nb\n')),
      /name 2 classes; the model has 3/,
    ],
  ];
  for (const [what, change, message] of cases)
    test(what, async (t) => {
      const binary = moduleBinary(t);
      if (!binary) return;
      const files = base();
      change(files);
      const { result, prediction, stderr } = await runGuest(files, dynamic(binary));
      assert.equal(result.exitCode, 1, stderr);
      assert.match(stderr, message);
      assert.match(stderr, /the darknet inference service wrote no output\/prediction\.log/);
      assert.equal(prediction, undefined);
    });
});

test("below libdarknet's address space (it maps OpenCV, Qt and GStreamer) the module is stopped: ERR_NATIVE_MODULE_MEMORY_LIMIT", async (t) => {
  const binary = moduleBinary(t);
  if (!binary) return;
  await assert.rejects(runGuest(example.generate(1, 1).files, dynamic(binary), 128), {
    code: 'ERR_NATIVE_MODULE_MEMORY_LIMIT',
  });
});
