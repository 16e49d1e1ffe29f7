// Every example runs under `vc run` and its outputs equal the TypeScript reference's: on generated
// data for several seeds, on an empty input, a single record, and an input large enough to come
// near the example's memory cap. Pipelines run through `vc run --pipeline`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test, type TestContext } from 'node:test';
import { requireResource } from '../../test-support/requirements.js';
import { exampleNamed, examples, type Example, type ExampleRun } from './index.js';
import { outputMismatch } from './support/compare.js';
import { hasVcRun, runCommandPath, vcRun } from './support/vc-run.js';
import { quickstartShares } from './shamir-secret-sharing/generate.js';

const SEEDS = [1, 2, 3];
// The WebAssembly global is not in our TypeScript lib set; Node provides it.
const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } })
  .WebAssembly;

function needVcRun(t: TestContext): boolean {
  return requireResource(t, `vc run (${runCommandPath})`, hasVcRun());
}

async function checkAgainstReference(
  example: Example,
  run: ExampleRun,
  maxMemoryMib?: number,
): Promise<void> {
  const result = await vcRun(
    example.wasmPath,
    run,
    maxMemoryMib === undefined ? {} : { maxMemoryMib },
  );
  assert.equal(result.exitCode, 0, `${example.name} failed: ${result.stderr}`);
  const mismatch = outputMismatch(result.outputs, example.reference(run), example.comparison);
  assert.equal(mismatch, undefined, `${example.name}: ${mismatch}`);
}

for (const example of examples) {
  describe(`example ${example.name} (${example.language})`, () => {
    test('the committed wasm is a WebAssembly module', () => {
      const bytes = readFileSync(example.wasmPath);
      assert.ok(wasm.validate(bytes), `${example.wasmPath} does not validate`);
    });

    for (const seed of SEEDS) {
      test(`seed ${seed}: output equals the reference`, async (t) => {
        if (!needVcRun(t)) return;
        await checkAgainstReference(example, example.generate(seed, 20 + seed * 37));
      });
    }

    test('empty input', async (t) => {
      if (!needVcRun(t)) return;
      await checkAgainstReference(example, example.generate(11, 0));
    });

    test('a single record', async (t) => {
      if (!needVcRun(t)) return;
      await checkAgainstReference(example, example.generate(12, 1));
    });

    test(`large input under a ${example.memoryCapMib} MiB memory cap`, async (t) => {
      if (!needVcRun(t)) return;
      await checkAgainstReference(
        example,
        example.generate(13, example.largeSize),
        example.memoryCapMib,
      );
    });
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
