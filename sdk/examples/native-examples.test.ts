// The examples that call native modules (aesctr-native and postcard-native, static;
// darknet-inference-native, dynamic: its module built from darknet_inference.c and run in the
// native sandbox) run through the enclave's runner with their modules declared, as a policy
// declares them, and their outputs equal the references on generated data; input of the wrong
// shape is a non-zero exit with a message (darknet's: darknet-native.test.ts). Veracruz's server
// tests of the same programs run through the whole enclave in
// actors/enclave-worker/native-modules.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test, type TestContext } from 'node:test';
import { RIGHTS_ALL, RIGHTS_READ, type Policy, type RightsTable } from '../../protocol/index.js';
import { Vfs, runProgram, shutdownWorkers } from '../../enclave/index.js';
import { missingSandboxTool } from '../../enclave/testing/index.js';
import { requireResource } from '../../test-support/requirements.js';
import { exampleNamed, nativeExamples } from './catalog.js';
import { outputMismatch } from './support/compare.js';
import { buildNativeModule, nativeBuildMissing } from './support/native-build.js';
import { fromUtf8, type Example, type ExampleRun } from './support/types.js';
import { postcardRecords } from './postcard-native/generate.js';

after(() => shutdownWorkers());

// The rights Veracruz's policies for these tests give the program (workspaces/shared.mk).
const rights: RightsTable = [
  { path: '/input/', rights: RIGHTS_READ },
  { path: '/output/', rights: RIGHTS_ALL },
  { path: '/services/', rights: RIGHTS_ALL },
  { path: 'stdout', rights: RIGHTS_ALL },
  { path: 'stderr', rights: RIGHTS_ALL },
];

/**
 * The example's modules as a policy declares them, a dynamic one built first; undefined (the test
 * skipped, or failed under CI) when this machine lacks its compiler, library or the sandbox.
 */
function declared(t: TestContext, example: Example): Policy['nativeModules'] | undefined {
  const modules: Policy['nativeModules'][number][] = [];
  for (const m of example.nativeModules ?? []) {
    if (m.kind === 'static') {
      modules.push({ name: m.name, type: { kind: 'static', specialFile: m.specialFile } });
      continue;
    }
    const lacking = nativeBuildMissing(m.build) ?? missingSandboxTool();
    if (!requireResource(t, `${m.name}'s build and sandbox (${lacking})`, lacking === undefined))
      return undefined;
    const entryPoint = buildNativeModule(m.build);
    modules.push({
      name: m.name,
      type: { kind: 'dynamic', specialFile: m.specialFile, entryPoint },
    });
  }
  return modules;
}

async function execute(
  example: Example,
  run: ExampleRun,
  nativeModules: Policy['nativeModules'],
  maxMemoryMib = 64,
) {
  const vfs = new Vfs();
  for (const [path, data] of run.files) vfs.writeUnchecked(path, data);
  const result = await runProgram({
    program: new Uint8Array(readFileSync(example.wasmPath)),
    vfs,
    rights,
    nativeModules,
    limits: { maxMemoryMib },
  });
  const outputs = new Map<string, Uint8Array>();
  for (const path of vfs.filesUnder('/output')) outputs.set(path, vfs.readUnchecked(path));
  return { result, outputs };
}

for (const example of nativeExamples) {
  describe(`native example ${example.name}`, () => {
    for (const [seed, size] of [
      [1, 57],
      [2, 0],
      [3, 1],
      [13, example.largeSize],
    ] as const) {
      test(`seed ${seed}, ${size} records: output equals the reference`, async (t) => {
        const modules = declared(t, example);
        if (!modules) return;
        const run = example.generate(seed, size);
        const memory = Math.max(example.memoryCapMib, 8);
        const { result, outputs } = await execute(example, run, modules, memory);
        assert.equal(result.exitCode, 0, fromUtf8(result.stderr));
        const mismatch = outputMismatch(outputs, example.reference(run), example.comparison);
        assert.equal(mismatch, undefined, `${example.name}: ${mismatch}`);
      });
    }
  });
}

test("aesctr-native: the service's bytes are OpenSSL's (Veracruz's expected values)", async (t) => {
  const example = exampleNamed('aesctr-native');
  const modules = declared(t, example)!;
  const { result, outputs } = await execute(example, example.generate(0, 0), modules);
  assert.equal(result.exitCode, 0);
  assert.equal(Buffer.from(outputs.get('/output/enc.dat')!).toString('hex'), 'a1205e157cf1b3');
  assert.equal(Buffer.from(outputs.get('/output/dec.dat')!).toString('hex'), 'aa2d441167e8a62c9c');
});

test('postcard-native: bytes that are not a postcard Vec<Struct3> give exit 1 and a message', async (t) => {
  const example = exampleNamed('postcard-native');
  const modules = declared(t, example)!;
  for (const bad of [
    Uint8Array.from([1, 9]), // an Enum2 variant that does not exist
    Uint8Array.from([...postcardRecords(4, 2), 0]), // a trailing byte
    new TextEncoder().encode('1,2,3\n'), // CSV, not postcard
  ]) {
    const { result, outputs } = await execute(
      example,
      { files: new Map([['/input/postcard.dat', bad]]) },
      modules,
    );
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
