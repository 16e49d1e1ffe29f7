// Replaying a real computation's journal against a deliberately changed machine reports the
// divergence at the exact event the change affects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enclaveMachine, participantMachine, MACHINES } from '../machines/index.js';
import { startEmbedded } from './embedded.js';
import { readComputation } from './journal-replay.js';
import { computations } from './protocol-scenarios.js';
import { replayTraces } from './replay.js';

test('a changed enclave or participant machine diverges at the right recorded event', async () => {
  const embedded = await startEmbedded();
  try {
    const scenario = computations.find((s) => s.name.startsWith('linear regression with 2'))!;
    const run = await scenario.run({
      bus: embedded.bus,
      caPem: embedded.ca.certificatePem,
      measurement: embedded.measurement,
      launch: (policy, options) => embedded.launch(policy, options),
      journal: async () => embedded.journal,
    });
    await embedded.bus.flush();
    const { traces, unverified } = await readComputation(embedded.journal, run.computation);
    assert.equal(unverified, 0, 'every journaled envelope verifies');
    assert.ok(replayTraces(traces).every((r) => r.divergence === undefined));

    const enclaveTrace = traces.filter((t) => t.machine === 'enclave');
    const firstCompute = enclaveTrace.find((t) => t.event['type'] === 'compute.request')!;
    const refusesCompute = enclaveMachine.provide({ guards: { computeRefused: () => true } });
    const enclaveReplay = replayTraces(traces, { ...MACHINES, enclave: refusesCompute }).find(
      (r) => r.machine === 'enclave',
    )!;
    assert.equal(enclaveReplay.divergence?.index, firstCompute.index);
    assert.equal(enclaveReplay.divergence?.event['type'], 'compute.request');

    const noHashCheck = participantMachine.provide({ guards: { policyHashDiffers: () => true } });
    const participantReplays = replayTraces(traces, {
      ...MACHINES,
      participant: noHashCheck,
    }).filter((r) => r.machine === 'participant');
    assert.ok(participantReplays.length >= 2);
    for (const r of participantReplays) {
      assert.equal(r.divergence?.index, 1);
      assert.equal(r.divergence?.event['type'], 'enclave.ready');
    }
  } finally {
    await embedded.stop();
  }
});
