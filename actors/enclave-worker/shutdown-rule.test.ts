import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { runParty } from '../participant/run-computation.js';
import { memoryBus } from '../system/system-bus.js';
import { startSystem } from '../system/system.js';

test('a consensus shutdown rule ends the computation only when everyone named has asked', async () => {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [a, b, c] = await identities(3);
    const policy = policyFor(system, {
      participants: [
        { identity: a!, capabilities: ['/program/:w'] },
        { identity: b!, capabilities: ['/input/:w'] },
        { identity: c!, capabilities: ['/output/:r'] },
      ],
      programs: [{ path: '/program/p.wasm', bytes: wasmOf('random-source'), capabilities: [] }],
      extensions: { shutdown: { rule: 'consensus', of: [0, 1] } },
    });
    await system.launch(policy);
    const ask = (identity: typeof a) =>
      runParty({ bus: system.bus, policy }, { identity: identity!, steps: [{ op: 'shutdown' }] });
    const outsider = await ask(c);
    assert.equal(outsider.failure?.code, 'ERR_ACCESS_DENIED');
    const first = await ask(a);
    assert.deepEqual(first.outcomes[0]!.body, { shutDown: false, waitingFor: [1] });
    const last = await ask(b);
    assert.deepEqual(last.outcomes[0]!.body, { shutDown: true, waitingFor: [] });
    const [worker] = [...system.workers.values()];
    assert.equal((await worker!.finished).state, '"shutDown"');
    const late = await ask(a);
    assert.equal(late.state, 'failed');
  } finally {
    await system.stop();
  }
});
