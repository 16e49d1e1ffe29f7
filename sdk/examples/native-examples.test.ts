// The examples that call static native modules (aesctr-native, postcard-native) run through the
// enclave's runner with their modules declared, as a policy declares them, and their outputs equal
// the references on generated data; input of the wrong shape is a non-zero exit with a message.
// Veracruz's server tests of the same programs run through the whole enclave in
// actors/enclave-worker/native-modules.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { RIGHTS_ALL, RIGHTS_READ, type RightsTable } from '../../protocol/index.js';
import { Vfs, runProgram, shutdownWorkers } from '../../enclave/index.js';
import { exampleNamed, nativeExamples } from './catalog.js';
import { outputMismatch } from './support/compare.js';
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

async function execute(example: Example, run: ExampleRun, maxMemoryMib = 64) {
  const vfs = new Vfs();
  for (const [path, data] of run.files) vfs.writeUnchecked(path, data);
  const result = await runProgram({
    program: new Uint8Array(readFileSync(example.wasmPath)),
    vfs,
    rights,
    nativeModules: (example.nativeModules ?? []).map(({ name, specialFile }) => ({
      name,
      type: { kind: 'static' as const, specialFile },
    })),
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
      test(`seed ${seed}, ${size} records: output equals the reference`, async () => {
        const run = example.generate(seed, size);
        const { result, outputs } = await execute(example, run, Math.max(example.memoryCapMib, 8));
        assert.equal(result.exitCode, 0, fromUtf8(result.stderr));
        const mismatch = outputMismatch(outputs, example.reference(run));
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
