import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleNamed } from '../../sdk/index.js';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { runComputation } from '../participant/run-computation.js';
import { memoryBus } from './system-bus.js';
import { startSystem } from './system.js';

test('embedded: linear regression with two clients, program and data provisioned in parallel', async () => {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner, dataOwner] = await identities(2);
    const example = exampleNamed('linear-regression');
    const wasm = wasmOf('linear-regression');
    const program = '/program/linear-regression.wasm';
    const policy = policyFor(system, {
      participants: [
        { identity: owner!, capabilities: ['/program/:wx', '/output/:r'] },
        { identity: dataOwner!, capabilities: ['/input/:w'] },
      ],
      programs: [{ path: program, bytes: wasm, capabilities: ['/input/:r', '/output/:w'] }],
    });
    const launched = await system.launch(policy);
    assert.match(launched.computation, /^p[0-9a-f]{32}$/);
    const run = example.generate(7, 50);
    const input = [...run.files.values()][0]!;
    const [round1, round2] = await runComputation({
      bus: system.bus,
      policy,
      rounds: [
        [
          {
            identity: owner!,
            steps: [{ op: 'program', path: program, source: 'wasm' }],
            sources: { wasm },
          },
          {
            identity: dataOwner!,
            steps: [{ op: 'data', path: example.inputs[0]!, source: 'data', mode: 'write' }],
            sources: { data: input },
          },
        ],
        [
          {
            identity: owner!,
            steps: [
              { op: 'compute', program },
              { op: 'result', path: example.outputs[0]!, destination: 'out' },
              { op: 'shutdown' },
            ],
          },
        ],
      ],
    });
    for (const outcome of [...round1!, ...round2!])
      assert.equal(outcome.state, 'done', JSON.stringify(outcome.failure));
    const expected = example.reference(run).get(example.outputs[0]!);
    assert.deepEqual(round2![0]!.results.get('out'), expected);
    const journal = await system.journal(launched.computation);
    assert.ok(
      journal.some((r) => r.header?.kind === 'host.launch'),
      'the launch is journaled',
    );
  } finally {
    await system.stop();
  }
});

test('enclave worker processes need a NATS bus', async () => {
  await assert.rejects(startSystem({ bus: memoryBus(), workers: 'process' }), {
    code: 'ERR_LAUNCH_FAILED',
  });
});
