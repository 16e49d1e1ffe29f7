import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computationIdFor, isVcError } from '../../protocol/index.js';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { memoryBus } from '../system/system-bus.js';
import { startSystem } from '../system/system.js';

test('a launch whose attestation is refused fails at once with the verifier code', async () => {
  const system = await startSystem({
    bus: memoryBus(),
    verifierConfig: { allowSimulation: false },
  });
  try {
    const [owner] = await identities(1);
    const policy = policyFor(system, {
      participants: [{ identity: owner!, capabilities: ['/program/:wx'] }],
      programs: [
        { path: '/program/p.wasm', bytes: wasmOf('random-source'), capabilities: ['/output/:w'] },
      ],
    });
    await assert.rejects(system.launch(policy, { timeoutMs: 20_000 }), (e) => {
      assert.ok(isVcError(e, 'ERR_ATTESTATION_SIMULATED'));
      assert.equal(e.details?.['reason'], 'ERR_ATTESTATION_SIMULATED');
      return true;
    });
    // The host ended the worker at once and recorded the refusal in the registry.
    const [worker] = [...system.workers.values()];
    await worker!.finished;
    const entry = await system.computations.show(computationIdFor(policy.hash));
    assert.equal(entry?.state, 'failed');
    assert.equal(entry?.failure?.code, 'ERR_ATTESTATION_SIMULATED');
  } finally {
    await system.stop();
  }
});
