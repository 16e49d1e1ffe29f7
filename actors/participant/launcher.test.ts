import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVcError } from '../../protocol/index.js';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { memoryBus } from '../system/system-bus.js';
import { startSystem } from '../system/system.js';

test('a launch whose attestation is refused fails at once with the verifier reason', async () => {
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
      assert.ok(isVcError(e, 'ERR_ATTESTATION_FAILED'));
      assert.equal(e.details?.['reason'], 'ERR_ATTESTATION_SIMULATED');
      return true;
    });
    const [worker] = [...system.workers.values()];
    const outcome = await worker!.finished;
    assert.equal(outcome.state, '"failed"');
    assert.equal(outcome.failure?.code, 'ERR_ATTESTATION_SIMULATED');
  } finally {
    await system.stop();
  }
});
