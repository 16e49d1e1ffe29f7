// Veracruz's server tests aesctr_native_module and basic_postcard_native_module, through the whole
// enclave (launch, attestation, sealed provisioning, execution, sealed result, shutdown), with the
// policies Veracruz's test suite generates for them (workspaces/shared.mk: one client, the program
// holding rw on /services/). Then native modules the enclave runs in its native sandbox: Veracruz's
// darknet and TensorFlow Lite examples with their services as dynamic modules (libdarknet, Arm NN),
// a pipeline naming a provisioned native binary, and the refusal at launch on a platform without
// the sandbox.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { exampleNamed } from '../../sdk/index.js';
import {
  buildNativeModule,
  mnistText,
  nativeBuildMissing,
  outputMismatch,
  tfliteOutputTensor,
} from '../../sdk/testing/index.js';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { missingSandboxTool } from '../../enclave/testing/index.js';
import { requireResource } from '../../test-support/requirements.js';
import { isVcError, type GeneratedIdentity } from '../../protocol/index.js';
import { runParty } from '../participant/run-computation.js';
import { memoryBus } from '../system/system-bus.js';
import { startSystem, type System } from '../system/system.js';

// The client's and the program's capabilities in Veracruz's single_client_*_native.json.
const CLIENT = ['/input/:w', '/output/:r', '/program/:wx', 'stdin:w', 'stderr:r', 'stdout:r'];
const PROGRAM = ['/input/:r', '/output/:rw', 'stdin:r', 'stderr:w', 'stdout:w', '/services/:rw'];

async function withSystem(run: (system: System, client: GeneratedIdentity) => Promise<void>) {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [client] = (await identities(1)) as [GeneratedIdentity];
    await run(system, client);
  } finally {
    await system.stop();
  }
}

test('server test aesctr_native_module: the AES-CTR static module through the enclave', async () => {
  await withSystem(async (system, client) => {
    const program = '/program/aesctr-native.wasm';
    const policy = policyFor(system, {
      participants: [{ identity: client, capabilities: CLIENT }],
      programs: [{ path: program, bytes: wasmOf('aesctr-native'), capabilities: PROGRAM }],
      nativeModules: [
        { name: 'Counter mode AES Service', entryPoint: '', specialFile: '/services/aesctr.dat' },
      ],
    });
    await system.launch(policy);
    const outcome = await runParty(
      { bus: system.bus, policy },
      {
        identity: client,
        sources: { wasm: wasmOf('aesctr-native') },
        steps: [
          { op: 'program', path: program, source: 'wasm' },
          { op: 'compute', program },
          { op: 'result', path: '/output/aesctr_native_pass.txt', destination: 'pass' },
          { op: 'result', path: '/output/enc.dat', destination: 'enc' },
          { op: 'shutdown' },
        ],
      },
    );
    assert.equal(outcome.state, 'done', JSON.stringify(outcome.failure));
    assert.deepEqual(outcome.results.get('pass'), new Uint8Array(0));
    assert.equal(Buffer.from(outcome.results.get('enc')!).toString('hex'), 'a1205e157cf1b3');
  });
});

test('server test basic_postcard_native_module: the Postcard static module through the enclave', async () => {
  await withSystem(async (system, client) => {
    const example = exampleNamed('postcard-native');
    const program = '/program/postcard-native.wasm';
    const run = example.generate(7, 25);
    const data = run.files.get('/input/postcard.dat')!;
    const policy = policyFor(system, {
      participants: [{ identity: client, capabilities: CLIENT }],
      programs: [{ path: program, bytes: wasmOf('postcard-native'), capabilities: PROGRAM }],
      nativeModules: [
        { name: 'Postcard Service', entryPoint: '', specialFile: '/services/postcard_string.dat' },
      ],
    });
    await system.launch(policy);
    const outcome = await runParty(
      { bus: system.bus, policy },
      {
        identity: client,
        sources: { wasm: wasmOf('postcard-native'), data },
        steps: [
          { op: 'program', path: program, source: 'wasm' },
          { op: 'data', path: '/input/postcard.dat', source: 'data', mode: 'write' },
          { op: 'compute', program },
          { op: 'result', path: '/output/postcard_native.txt', destination: 'json' },
          { op: 'shutdown' },
        ],
      },
    );
    assert.equal(outcome.state, 'done', JSON.stringify(outcome.failure));
    assert.deepEqual(
      outcome.results.get('json'),
      example.reference(run).get('/output/postcard_native.txt'),
    );
  });
});

function needSandbox(t: TestContext): boolean {
  const missing = missingSandboxTool();
  return requireResource(t, `the native sandbox (${missing})`, missing === undefined);
}

test('tflite-inference-native-mnist: the TensorFlow Lite service as a dynamic module (Arm NN) through the enclave', async (t) => {
  if (!needSandbox(t)) return;
  const example = exampleNamed('tflite-inference-native-mnist');
  const service = example.nativeModules?.find((m) => m.kind === 'dynamic');
  if (service?.kind !== 'dynamic') throw new Error('the example declares its dynamic module');
  const missing = nativeBuildMissing(service.build);
  if (!requireResource(t, `tflite_inference's build (${missing})`, missing === undefined)) return;
  await withSystem(async (system, client) => {
    const program = '/program/tflite-inference-native-mnist.wasm';
    const wasm = wasmOf('tflite-inference-native-mnist');
    const run = example.generate(7, 1);
    const policy = policyFor(system, {
      participants: [{ identity: client, capabilities: [...CLIENT, '/program_internal/:r'] }],
      programs: [
        { path: program, bytes: wasm, capabilities: [...PROGRAM, '/program_internal/:rw'] },
      ],
      nativeModules: [
        {
          name: service.name,
          entryPoint: buildNativeModule(service.build),
          specialFile: service.specialFile,
        },
      ],
      // The Wasm program and the module each run under this cap (the module's is its address
      // space, RLIMIT_AS): Arm NN with its TFLite parser, libstdc++ and the CpuRef backend needs
      // about 11 MiB of address space for this model (at 10 MiB CpuRef cannot be loaded, at 9 the
      // libraries cannot be mapped), so 64 leaves room for larger models without letting a module
      // take the default 256.
      maxMemoryMib: 64,
    });
    assert.equal(policy.policy.nativeModules[0]?.type.kind, 'dynamic');
    await system.launch(policy);
    const sources = Object.fromEntries(
      [...run.files].map(([path, bytes]) => [path.replace(/\W/g, '_'), bytes]),
    );
    const outcome = await runParty(
      { bus: system.bus, policy },
      {
        identity: client,
        sources: { wasm, ...sources },
        steps: [
          { op: 'program', path: program, source: 'wasm' },
          ...[...run.files.keys()].map((path) => ({
            op: 'data' as const,
            path,
            source: path.replace(/\W/g, '_'),
            mode: 'write' as const,
          })),
          { op: 'compute', program },
          { op: 'result', path: '/output/mnist.txt', destination: 'text' },
          { op: 'result', path: '/program_internal/output.dat', destination: 'tensor' },
          { op: 'result', path: 'stdout', destination: 'stdout' },
          { op: 'shutdown' },
        ],
      },
    );
    assert.equal(outcome.state, 'done', JSON.stringify(outcome.failure));
    // Arm NN computes in f32 where the reference follows TensorFlow Lite's integers: within one
    // unit per byte, the same digit (sdk/examples/native-examples.test.ts says more).
    const tensor = outcome.results.get('tensor')!;
    const expected = tfliteOutputTensor(run);
    assert.equal(tensor.length, 10);
    tensor.forEach((q, i) => assert.ok(Math.abs(q - expected[i]!) <= 1, `${q} vs ${expected[i]}`));
    assert.equal(tensor.indexOf(Math.max(...tensor)), expected.indexOf(Math.max(...expected)));
    const text = mnistText([...tensor]);
    assert.equal(new TextDecoder().decode(outcome.results.get('text')), text);
    assert.match(new TextDecoder().decode(outcome.results.get('stdout')), /service return\n/);
    assert.ok(new TextDecoder().decode(outcome.results.get('stdout')).endsWith(text));
  });
});

test('darknet-inference-native through the enclave: a policy declaring the Dynamic darknet module', async (t) => {
  if (!needSandbox(t)) return;
  const example = exampleNamed('darknet-inference-native');
  const module = example.nativeModules?.[0];
  assert.ok(module?.kind === 'dynamic');
  const lacking = nativeBuildMissing(module.build);
  if (!requireResource(t, `the darknet module's build (${lacking})`, lacking === undefined)) return;
  const binary = buildNativeModule(module.build);
  const run = example.generate(6, 1);
  await withSystem(async (system, client) => {
    const program = '/program/darknet-inference-native.wasm';
    const policy = policyFor(system, {
      participants: [{ identity: client, capabilities: CLIENT }],
      programs: [{ path: program, bytes: wasmOf(example.name), capabilities: PROGRAM }],
      nativeModules: [{ name: module.name, entryPoint: binary, specialFile: module.specialFile }],
      // RLIMIT_AS of the module: libdarknet maps some 330 MiB of libraries before main.
      maxMemoryMib: example.memoryCapMib,
    });
    assert.deepEqual(policy.policy.nativeModules, [
      {
        name: module.name,
        type: {
          kind: 'dynamic',
          specialFile: '/services/darknet_inference.dat',
          entryPoint: binary,
        },
      },
    ]);
    await system.launch(policy);
    const inputs = [...run.files.keys()];
    const outcome = await runParty(
      { bus: system.bus, policy },
      {
        identity: client,
        sources: { wasm: wasmOf(example.name), ...Object.fromEntries(run.files) },
        steps: [
          { op: 'program', path: program, source: 'wasm' },
          ...inputs.map((path) => ({
            op: 'data' as const,
            path,
            source: path,
            mode: 'write' as const,
          })),
          { op: 'compute', program },
          { op: 'result', path: '/output/prediction.log', destination: 'prediction' },
          { op: 'result', path: 'stdout', destination: 'stdout' },
          { op: 'shutdown' },
        ],
      },
    );
    assert.equal(outcome.state, 'done', JSON.stringify(outcome.failure));
    const prediction = outcome.results.get('prediction')!;
    const mismatch = outputMismatch(
      new Map([['/output/prediction.log', prediction]]),
      example.reference(run),
      example.comparison,
    );
    assert.equal(mismatch, undefined);
    assert.match(new TextDecoder().decode(outcome.results.get('stdout')), /\nservice return\n$/);
  });
});

test('a pipeline naming a provisioned native binary is accepted and runs it in the native sandbox', async (t) => {
  if (!needSandbox(t)) return;
  await withSystem(async (system, client) => {
    const tool = '/program/upper';
    const script = new TextEncoder().encode(
      '#!/bin/sh\ntr a-z A-Z < /input/words.txt > /output/words.txt\n',
    );
    const policy = policyFor(system, {
      participants: [
        { identity: client, capabilities: ['/program/:wx', '/input/:w', '/output/:r'] },
      ],
      programs: [{ path: '/program/nop.wasm', bytes: wasmOf('nop'), capabilities: [] }],
      pipelines: [{ pipeline: tool, capabilities: ['/input/:r', '/output/:rw'] }],
      nativeModules: [{ name: 'upper', entryPoint: tool, specialFile: '' }],
    });
    assert.deepEqual(policy.policy.nativeModules, [
      { name: 'upper', type: { kind: 'provisioned', entryPoint: tool } },
    ]);
    await system.launch(policy);
    const outcome = await runParty(
      { bus: system.bus, policy },
      {
        identity: client,
        sources: { tool: script, words: new TextEncoder().encode('native') },
        steps: [
          { op: 'program', path: tool, source: 'tool' },
          { op: 'data', path: '/input/words.txt', source: 'words', mode: 'write' },
          { op: 'pipeline', pipeline: '0' },
          { op: 'result', path: '/output/words.txt', destination: 'words' },
          { op: 'shutdown' },
        ],
      },
    );
    assert.equal(outcome.state, 'done', JSON.stringify(outcome.failure));
    assert.equal(new TextDecoder().decode(outcome.results.get('words')), 'NATIVE');
  });
});

test('a provisioned native binary listed as a program runs on a compute request, with its program rights', async (t) => {
  if (!needSandbox(t)) return;
  await withSystem(async (system, client) => {
    const tool = '/program/count';
    const script = new TextEncoder().encode(
      '#!/bin/sh\nwc -c < /input/words.txt > /output/count.txt\n',
    );
    const policy = policyFor(system, {
      participants: [
        { identity: client, capabilities: ['/program/:wx', '/input/:w', '/output/:r'] },
      ],
      programs: [{ path: tool, bytes: script, capabilities: ['/input/:r', '/output/:rw'] }],
      nativeModules: [{ name: 'count', entryPoint: tool, specialFile: '' }],
    });
    await system.launch(policy);
    const outcome = await runParty(
      { bus: system.bus, policy },
      {
        identity: client,
        sources: { tool: script, words: new TextEncoder().encode('twelve bytes') },
        steps: [
          { op: 'program', path: tool, source: 'tool' },
          { op: 'data', path: '/input/words.txt', source: 'words', mode: 'write' },
          { op: 'compute', program: tool },
          { op: 'result', path: '/output/count.txt', destination: 'count' },
          { op: 'shutdown' },
        ],
      },
    );
    assert.equal(outcome.state, 'done', JSON.stringify(outcome.failure));
    assert.equal(new TextDecoder().decode(outcome.results.get('count')).trim(), '12');
  });
});

test('a platform without the native sandbox refuses a dynamic module at launch', async () => {
  await withSystem(async (system, client) => {
    const policy = policyFor(system, {
      participants: [{ identity: client, capabilities: ['/program/:wx'] }],
      programs: [{ path: '/program/nop.wasm', bytes: wasmOf('nop'), capabilities: [] }],
      nativeModules: [{ name: 'tool', entryPoint: '/usr/bin/true', specialFile: '/services/t' }],
    });
    const saved = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      await assert.rejects(system.launch(policy, { timeoutMs: 20_000 }), (e) => {
        assert.ok(isVcError(e), String(e));
        assert.match(
          `${e.code} ${e.message} ${JSON.stringify(e.details)}`,
          /ERR_NATIVE_SANDBOX_UNAVAILABLE/,
        );
        return true;
      });
    } finally {
      process.env['PATH'] = saved;
    }
  });
});
