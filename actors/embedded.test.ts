import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { exampleNamed } from '../sdk/examples/index.js';
import { buildPolicy, newParticipant } from './policy-builder.js';
import { startEmbedded } from './embedded.js';
import { runComputation } from './run-computation.js';

test('embedded: linear regression with two clients, program and data provisioned in parallel', async () => {
  const system = await startEmbedded();
  try {
    const [owner, dataOwner] = await Promise.all([
      newParticipant('program-and-results'),
      newParticipant('data'),
    ]);
    const example = exampleNamed('linear-regression');
    const wasm = new Uint8Array(readFileSync(example.wasmPath));
    const program = '/program/linear-regression.wasm';
    const policy = buildPolicy({
      participants: [
        { identity: owner, capabilities: ['/program/:wx', '/output/:r'] },
        { identity: dataOwner, capabilities: ['/input/:w'] },
      ],
      programs: [{ path: program, bytes: wasm, capabilities: ['/input/:r', '/output/:w'] }],
      proxyServiceCertPem: system.ca.certificatePem,
      simMeasurements: [system.measurement],
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
            identity: owner,
            steps: [{ op: 'program', path: program, source: 'wasm' }],
            sources: { wasm },
          },
          {
            identity: dataOwner,
            steps: [{ op: 'data', path: example.inputs[0]!, source: 'data', mode: 'write' }],
            sources: { data: input },
          },
        ],
        [
          {
            identity: owner,
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
  } finally {
    await system.stop();
  }
});
