// Every example runs under `vc run` and its outputs equal the TypeScript reference's: on generated
// data for several seeds, on an empty input, a single record, and an input large enough to come
// near the example's memory cap. Programs drawing on the host's random source are checked for
// shape and seeded determinism instead. Pipelines run through `vc run --pipeline`.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { requireResource } from '../../test-support/requirements.js';
import { exampleNamed, examples, pipelines } from './catalog.js';
import { type Example, type ExampleRun } from './support/types.js';
import { outputMismatch } from './support/compare.js';
import { hasVcRun, runCommandPath, vcRun, type VcRunOptions } from '../testing/vc-run.js';
import { quickstartShares } from './shamir-secret-sharing/generate.js';

const SEEDS = [1, 2, 3];
// The WebAssembly global is not in our TypeScript lib set; Node provides it.
const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } })
  .WebAssembly;

function needVcRun(t: TestContext): boolean {
  return requireResource(t, `vc run (${runCommandPath})`, hasVcRun());
}

async function check(example: Example, run: ExampleRun, options: VcRunOptions = {}): Promise<void> {
  const result = await vcRun(example.wasmPath, run, options);
  assert.equal(result.exitCode, 0, `${example.name} failed: ${result.stderr}`);
  const mismatch = outputMismatch(result.outputs, example.reference(run), example.comparison);
  assert.equal(mismatch, undefined, `${example.name}: ${mismatch}`);
  if (example.random) {
    const wrong = example.random.verify(run, result.outputs);
    assert.equal(wrong, undefined, `${example.name}: ${wrong}`);
  }
}

const randomBytes = async (example: Example, run: ExampleRun, seed: number): Promise<string> => {
  const result = await vcRun(example.wasmPath, run, { seed });
  assert.equal(result.exitCode, 0, result.stderr);
  return (example.random?.outputs ?? [])
    .map((path) => Buffer.from(result.outputs.get(path) ?? []).toString('hex'))
    .join('/');
};

for (const example of examples) {
  describe(`example ${example.name} (${example.language})`, () => {
    test('the committed wasm is a WebAssembly module', () => {
      assert.ok(
        wasm.validate(readFileSync(example.wasmPath)),
        `${example.wasmPath} does not validate`,
      );
    });

    for (const seed of SEEDS) {
      test(`seed ${seed}: output equals the reference`, async (t) => {
        if (!needVcRun(t)) return;
        await check(example, example.generate(seed, 20 + seed * 37));
      });
    }

    // Too small for the example (as for Veracruz's version): refused with a message.
    const checkSmall = async (seed: number, size: number): Promise<void> => {
      const run = example.generate(seed, size);
      const refused = example.smallRefused;
      if (!refused || size >= refused.below) return check(example, run);
      const result = await vcRun(example.wasmPath, run);
      assert.notEqual(result.exitCode, 0, `${example.name} accepted ${size} records`);
      assert.match(result.stderr, refused.message);
    };

    test('empty input', async (t) => {
      if (!needVcRun(t)) return;
      await checkSmall(11, 0);
    });

    test('a single record', async (t) => {
      if (!needVcRun(t)) return;
      await checkSmall(12, 1);
    });

    test(`large input under a ${example.memoryCapMib} MiB memory cap`, async (t) => {
      if (!needVcRun(t)) return;
      const run = example.generate(13, example.largeSize);
      await check(example, run, { maxMemoryMib: example.memoryCapMib });
    });

    if (example.random) {
      const random = example.random;
      test('random outputs are reproducible under --seed and differ between seeds', async (t) => {
        if (!needVcRun(t)) return;
        const run = example.generate(14, 16);
        const first = await randomBytes(example, run, 7);
        assert.equal(
          await randomBytes(example, run, 7),
          first,
          `${random.outputs.join(', ')} not reproducible`,
        );
        assert.notEqual(
          await randomBytes(example, run, 8),
          first,
          'different seeds gave equal outputs',
        );
      });
    }
  });
}

test("shamir-secret-sharing rebuilds Veracruz's quickstart secret", async (t) => {
  if (!needVcRun(t)) return;
  const shamir = exampleNamed('shamir-secret-sharing');
  const run: ExampleRun = {
    files: new Map(
      quickstartShares.map((hex, i) => [`/input/shamir-${i}.dat`, Buffer.from(hex, 'hex')]),
    ),
  };
  const result = await vcRun(shamir.wasmPath, run);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(
    Buffer.from(result.outputs.get('/output/shamir.dat') ?? []).toString(),
    'Hello World!\n',
  );
});

for (const pipeline of pipelines) {
  test(`pipeline ${pipeline.name} runs through vc run --pipeline`, async (t) => {
    if (!needVcRun(t)) return;
    const programs = mkdtempSync(join(tmpdir(), 'vc-pipeline-'));
    try {
      for (const name of pipeline.programs) {
        copyFileSync(exampleNamed(name).wasmPath, join(programs, `${name}.wasm`));
      }
      const env = pipeline.env ?? {};
      const result = await vcRun(
        undefined,
        { files: new Map(), env },
        {
          pipeline: pipeline.pipeline,
          dirs: [`${programs}::/program:ro`],
          seed: 21,
        },
      );
      assert.equal(result.exitCode, 0, result.stderr);
      const wrong = pipeline.verify(result.outputs, env);
      assert.equal(wrong, undefined, `${pipeline.name}: ${wrong}`);
    } finally {
      rmSync(programs, { recursive: true, force: true });
    }
  });
}

test('sdk-tour: stdout reaches vc run and the guest exit status becomes its exit code', async (t) => {
  if (!needVcRun(t)) return;
  const tour = exampleNamed('sdk-tour');
  const run = tour.generate(31, 8);
  const result = await vcRun(tour.wasmPath, { ...run, env: { ...run.env, EXIT_CODE: '3' } });
  assert.equal(result.exitCode, 3, result.stderr);
  assert.match(result.stdout, /hello from sdk-tour/);
  assert.equal(outputMismatch(result.outputs, tour.reference(run)), undefined);
});
