// The examples that call native modules (aesctr-native and postcard-native: static modules;
// darknet-inference-native and tflite-inference-native-mnist: dynamic modules, darknet and Arm NN
// in the native sandbox) run through the enclave's runner with their modules declared, as a policy
// declares them, and their outputs equal the references on generated data; input of the wrong
// shape is a non-zero exit with a message (darknet's: darknet-native.test.ts). Veracruz's server
// tests of the same programs run through the whole enclave in
// actors/enclave-worker/native-modules.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import {
  PostcardWriter,
  RIGHTS_ALL,
  RIGHTS_READ,
  type Policy,
  type RightsTable,
} from '../../protocol/index.js';
import { Vfs, runProgram, shutdownWorkers } from '../../enclave/index.js';
import { guestBytes, missingSandboxTool } from '../../enclave/testing/index.js';
import { requireResource } from '../../test-support/requirements.js';
import { exampleNamed, nativeExamples } from './catalog.js';
import { mnistText } from './mnist-classifier/reference.js';
import { outputMismatch } from './support/compare.js';
import { buildNativeModule, nativeBuildMissing } from './support/native-build.js';
import { readTflite, writeTflite } from './support/tflite.js';
import { fromUtf8, type Example, type ExampleRun } from './support/types.js';
import { postcardRecords } from './postcard-native/generate.js';
import { MODEL } from './tflite-inference-native-mnist/generate.js';
import { outputTensor } from './tflite-inference-native-mnist/reference.js';

after(() => shutdownWorkers());

// The rights Veracruz's policies for these tests give the program (workspaces/shared.mk), and
// /program_internal/, where Veracruz's TensorFlow Lite example keeps its tensors.
const rights: RightsTable = [
  { path: '/input/', rights: RIGHTS_READ },
  { path: '/output/', rights: RIGHTS_ALL },
  { path: '/services/', rights: RIGHTS_ALL },
  { path: '/program_internal/', rights: RIGHTS_ALL },
  { path: 'stdout', rights: RIGHTS_ALL },
  { path: 'stderr', rights: RIGHTS_ALL },
];

const hasDynamicModule = (example: Example): boolean =>
  (example.nativeModules ?? []).some((m) => m.kind === 'dynamic');

/** The policy's declaration of `example`'s modules; a dynamic one's binary is built first. */
function declared(example: Example): Policy['nativeModules'] {
  return (example.nativeModules ?? []).map((m) =>
    m.kind === 'dynamic'
      ? {
          name: m.name,
          type: {
            kind: 'dynamic' as const,
            specialFile: m.specialFile,
            entryPoint: buildNativeModule(m.build),
          },
        }
      : { name: m.name, type: { kind: 'static' as const, specialFile: m.specialFile } },
  );
}

async function execute(
  example: Example,
  run: ExampleRun,
  maxMemoryMib = 64,
  program = new Uint8Array(readFileSync(example.wasmPath)),
  args?: string[],
) {
  const vfs = new Vfs();
  for (const [path, data] of run.files) vfs.writeUnchecked(path, data);
  const result = await runProgram({
    program,
    vfs,
    rights,
    nativeModules: declared(example),
    limits: { maxMemoryMib },
    ...(args ? { args } : {}),
  });
  const outputs = new Map<string, Uint8Array>();
  for (const path of vfs.filesUnder('/output')) outputs.set(path, vfs.readUnchecked(path));
  return { result, outputs, vfs };
}

/** False (the test skipped, or failed under CI) when this machine cannot build or sandbox a module. */
function needModules(t: TestContext, example: Example): boolean {
  for (const m of example.nativeModules ?? []) {
    if (m.kind !== 'dynamic') continue;
    const lacking = nativeBuildMissing(m.build) ?? missingSandboxTool();
    if (!requireResource(t, `${m.name}'s build and sandbox (${lacking})`, lacking === undefined))
      return false;
  }
  return true;
}

// Examples with a dynamic module and no stated comparison (tflite-inference-native-mnist) are
// compared within their tolerance below.
for (const example of nativeExamples.filter(
  (e) => !hasDynamicModule(e) || e.comparison !== undefined,
)) {
  describe(`native example ${example.name}`, () => {
    for (const [seed, size] of [
      [1, 57],
      [2, 0],
      [3, 1],
      [13, example.largeSize],
    ] as const) {
      test(`seed ${seed}, ${size} records: output equals the reference`, async (t) => {
        if (!needModules(t, example)) return;
        const run = example.generate(seed, size);
        const { result, outputs } = await execute(example, run, Math.max(example.memoryCapMib, 8));
        assert.equal(result.exitCode, 0, fromUtf8(result.stderr));
        const mismatch = outputMismatch(outputs, example.reference(run), example.comparison);
        assert.equal(mismatch, undefined, `${example.name}: ${mismatch}`);
      });
    }
  });
}

test("aesctr-native: the service's bytes are OpenSSL's (Veracruz's expected values)", async () => {
  const example = exampleNamed('aesctr-native');
  const { result, outputs } = await execute(example, example.generate(0, 0));
  assert.equal(result.exitCode, 0);
  assert.equal(Buffer.from(outputs.get('/output/enc.dat')!).toString('hex'), 'a1205e157cf1b3');
  assert.equal(Buffer.from(outputs.get('/output/dec.dat')!).toString('hex'), 'aa2d441167e8a62c9c');
});

test('postcard-native: bytes that are not a postcard Vec<Struct3> give exit 1 and a message', async () => {
  const example = exampleNamed('postcard-native');
  for (const bad of [
    Uint8Array.from([1, 9]), // an Enum2 variant that does not exist
    Uint8Array.from([...postcardRecords(4, 2), 0]), // a trailing byte
    new TextEncoder().encode('1,2,3\n'), // CSV, not postcard
  ]) {
    const { result, outputs } = await execute(example, {
      files: new Map([['/input/postcard.dat', bad]]),
    });
    assert.equal(result.exitCode, 1);
    assert.match(fromUtf8(result.stderr), /Postcard service refused/);
    assert.equal(outputs.has('/output/postcard_native.txt'), false);
  }
});

test('postcard-native: without the module declared, the program fails with a message', async () => {
  const example = exampleNamed('postcard-native');
  const vfs = new Vfs();
  vfs.writeUnchecked('/input/postcard.dat', postcardRecords(1, 3));
  const result = await runProgram({
    program: new Uint8Array(readFileSync(example.wasmPath)),
    vfs,
    rights,
  });
  assert.equal(result.exitCode, 1);
  assert.match(fromUtf8(result.stderr), /postcard_result\.dat/);
});

describe('native example tflite-inference-native-mnist (a dynamic module: Arm NN in the native sandbox)', () => {
  const example = exampleNamed('tflite-inference-native-mnist');
  const service = (example.nativeModules ?? []).find((m) => m.kind === 'dynamic');
  if (service?.kind !== 'dynamic') throw new Error('the example declares its dynamic module');
  const build = service.build;
  const INPUT_TENSOR = '/program_internal/grayscale_image.bin';
  const OUTPUT_TENSOR = '/program_internal/output.dat';
  // What Veracruz's example prints before the results (Rust's `{:x?}` of the request: -1 in hex).
  const preamble =
    'service input TfLiteInferenceInput { input_tensor_path: "/program_internal/grayscale_image.bin", ' +
    'model_path: "/input/MNISTnet_uint8_quant.tflite", output_tensor_path: "/program_internal/output.dat", ' +
    'num_threads: ffffffff }\ncalling TensorFlow Lite Inference service...\nservice return\n';

  function needArmnn(t: TestContext): boolean {
    const sandbox = missingSandboxTool();
    if (!requireResource(t, `the native sandbox (${sandbox})`, sandbox === undefined)) return false;
    const missing = nativeBuildMissing(build);
    return requireResource(t, `tflite_inference's build (${missing})`, missing === undefined);
  }

  /** The postcard TfLiteInferenceInput (docs/guest-programs.md#the-tflite-inference-service). */
  const request = (input: string, model: string, output: string, threads = -1): Uint8Array =>
    new PostcardWriter().string(input).string(model).string(output).signed(threads, 32).bytes();

  /** The index of the largest value (the first one on a tie, as the printed order has it). */
  const classOf = (tensor: Uint8Array): number => tensor.indexOf(Math.max(...tensor));

  // Arm NN's CpuRef dequantizes, computes each layer in f32 and requantizes, where TensorFlow Lite
  // (the reference) computes in integers: a value on a rounding boundary may land one unit apart.
  // On the generated digits they agree exactly; the tests allow one unit per output byte and
  // require the same digit (docs/guest-programs.md#the-tflite-model).
  for (let seed = 0; seed < 10; seed++) {
    test(`seed ${seed} (a ${seed}): Arm NN's output tensor is the reference's within 1, the same digit, Veracruz's lines`, async (t) => {
      if (!needArmnn(t)) return;
      const run = example.generate(seed, 1);
      const { result, outputs, vfs } = await execute(example, run);
      assert.equal(result.exitCode, 0, fromUtf8(result.stderr));
      const tensor = vfs.readUnchecked(OUTPUT_TENSOR);
      const expected = outputTensor(run);
      assert.equal(tensor.length, 10);
      tensor.forEach((q, i) =>
        assert.ok(Math.abs(q - (expected[i] as number)) <= 1, `digit ${i}: ${q} vs ${expected[i]}`),
      );
      assert.equal(classOf(tensor), classOf(expected));
      // The program's input tensor is the digit's pixels, row by row.
      assert.deepEqual(
        vfs.readUnchecked(INPUT_TENSOR),
        run.files.get('/input/digit.pgm')!.subarray(-784),
      );
      const text = mnistText([...tensor]);
      assert.equal(fromUtf8(outputs.get('/output/mnist.txt')!), text);
      assert.equal(fromUtf8(result.stdout), preamble + text);
      if (Buffer.compare(Buffer.from(tensor), Buffer.from(expected)) === 0)
        assert.equal(outputMismatch(outputs, example.reference(run)), undefined);
    });
  }

  test('the network reads most generated digits right (the reference, no Arm NN needed)', () => {
    const right = Array.from({ length: 40 }, (_, seed) => seed).filter(
      (seed) => classOf(outputTensor(example.generate(seed, 1))) === seed % 10,
    );
    assert.ok(right.length >= 32, `${right.length} of 40 right`);
  });

  const scratch = mkdtempSync(join(tmpdir(), 'vc-tflite-test-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** The module run by hand outside the sandbox on a request file (its optional argument). */
  function runDirectly(bytes: Uint8Array) {
    const file = join(scratch, 'request.bin');
    writeFileSync(file, bytes);
    return spawnSync(buildNativeModule(build), [file], { encoding: 'utf8' });
  }

  const good = (dir: string) =>
    request(join(dir, 'in.bin'), join(dir, 'model.tflite'), join(dir, 'out.bin'));
  const malformed: ReadonlyArray<readonly [string, (valid: Uint8Array) => Uint8Array]> = [
    ['CSV text', () => new TextEncoder().encode('1,2,3\n')],
    ['a truncated request', (valid) => valid.subarray(0, valid.length - 1)],
    ['a byte after the request', (valid) => Uint8Array.from([...valid, 0])],
    ['a path that is not UTF-8', () => Uint8Array.from([2, 0xc3, 0x28, 1, 0x41, 1, 0x42, 1])],
    [
      'a num_threads varint of 6 bytes',
      (valid) =>
        Uint8Array.from([...valid.subarray(0, valid.length - 1), 0x81, 0x80, 0x80, 0x80, 0x80, 0]),
    ],
  ];

  test('the module refuses a request that is not a postcard TfLiteInferenceInput: exit 2 and a message', (t) => {
    if (!needArmnn(t)) return;
    const valid = good(scratch);
    writeFileSync(join(scratch, 'in.bin'), run0Pixels());
    writeFileSync(join(scratch, 'model.tflite'), need0Model());
    const ok = runDirectly(valid);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(readFileSync(join(scratch, 'out.bin')).length, 10);
    rmSync(join(scratch, 'out.bin'));
    for (const [what, make] of malformed) {
      const refused = runDirectly(make(valid));
      assert.equal(refused.status, 2, `${what}: ${refused.stderr}`);
      assert.match(
        refused.stderr,
        /tflite_inference: .*(is not a postcard TfLiteInferenceInput|bytes after the TfLiteInferenceInput)/,
        what,
      );
      assert.throws(() => readFileSync(join(scratch, 'out.bin')), what);
    }
  });

  test("through the special file, a malformed request gets the module's message and writes nothing", async (t) => {
    if (!needArmnn(t)) return;
    const run = example.generate(0, 1);
    const valid = request('/input/digit.bin', MODEL, '/output/out.bin');
    for (const [what, make] of malformed) {
      const files = new Map([
        ...run.files,
        ['/input/digit.bin', run0Pixels()],
        ['/input/request.dat', make(valid)],
      ]);
      const { result, outputs } = await execute(
        example,
        { files },
        64,
        new Uint8Array(guestBytes('special_file')),
        ['/services/tflite_inference.dat', '/input/request.dat'],
      );
      // As in Veracruz, the module's exit status does not fail the write; its stderr is the
      // caller's, and no output tensor appears.
      assert.match(
        fromUtf8(result.stderr),
        /tflite_inference: \/execution_config (is not a postcard|has \d+ bytes after)/,
        what,
      );
      assert.equal(outputs.has('/output/out.bin'), false, what);
    }
  });

  test("a model that is not a TensorFlow Lite flatbuffer: the program exits 1 with Arm NN's message", async (t) => {
    if (!needArmnn(t)) return;
    const run = example.generate(3, 1);
    const model = need0Model();
    for (const [what, bytes] of [
      ['the digit', run.files.get('/input/digit.pgm')!],
      [
        "mnist-classifier's VCQN model",
        exampleNamed('mnist-classifier').generate(3, 1).files.get('/input/mnist-model.vcqn')!,
      ],
      ['a truncated model', model.subarray(0, model.length >> 1)],
      ['an empty file', new Uint8Array(0)],
    ] as const) {
      const files = new Map(run.files).set(MODEL, bytes);
      const { result, outputs } = await execute(example, { files });
      assert.equal(result.exitCode, 1, what);
      const stderr = fromUtf8(result.stderr);
      assert.match(
        stderr,
        /tflite_inference: \/input\/MNISTnet_uint8_quant\.tflite: /,
        `${what}: ${stderr}`,
      );
      assert.match(stderr, /no output tensor/, what);
      assert.equal(outputs.size, 0, what);
    }
  });

  test('an input tensor of the wrong size: exit 5 and a message from the module, exit 1 from the program', async (t) => {
    if (!needArmnn(t)) return;
    // By hand: the PGM file itself (header included) instead of its pixels.
    const run = example.generate(4, 1);
    const pgm = run.files.get('/input/digit.pgm')!;
    writeFileSync(join(scratch, 'in.bin'), pgm);
    writeFileSync(join(scratch, 'model.tflite'), need0Model());
    const direct = runDirectly(good(scratch));
    assert.equal(direct.status, 5, direct.stderr);
    assert.match(
      direct.stderr,
      new RegExp(`holds ${pgm.length} bytes; the model's input tensor input takes 784`),
    );
    assert.throws(() => readFileSync(join(scratch, 'out.bin')));
    // Through the program: a model whose input is a 20 x 20 frame gets the 28 x 28 digit.
    const model = readTflite(need0Model());
    const small = writeTflite({
      ...model,
      tensors: model.tensors.map((tensor, i) =>
        i === 0 ? { ...tensor, shape: [1, 20, 20, 1] } : tensor,
      ),
    });
    const { result, outputs } = await execute(example, {
      files: new Map(run.files).set(MODEL, small),
    });
    assert.equal(result.exitCode, 1);
    assert.match(
      fromUtf8(result.stderr),
      /grayscale_image\.bin holds 784 bytes; the model's input tensor input takes 400/,
    );
    assert.equal(outputs.size, 0);
  });

  // Below the address space its libraries need, the loader cannot map them: the sandbox reports
  // that as the module's memory limit (enclave/native/sandbox.ts), never a wrong answer.
  test("under a memory cap too small for Arm NN's libraries the run is stopped: ERR_NATIVE_MODULE_MEMORY_LIMIT", async (t) => {
    if (!needArmnn(t)) return;
    await assert.rejects(execute(example, example.generate(5, 1), 8), {
      code: 'ERR_NATIVE_MODULE_MEMORY_LIMIT',
    });
  });

  function run0Pixels(): Uint8Array {
    return example.generate(0, 1).files.get('/input/digit.pgm')!.subarray(-784);
  }
  function need0Model(): Uint8Array {
    return example.generate(0, 1).files.get(MODEL)!;
  }
});
