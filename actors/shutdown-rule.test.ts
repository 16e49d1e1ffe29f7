import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbedded } from './embedded.js';
import { runParty } from './run-computation.js';
import { identities, policyFor, wasmOf } from './scenario-kit.js';

test('a consensus shutdown rule ends the computation only when everyone named has asked', async () => {
  const system = await startEmbedded();
  try {
    const [a, b, c] = await identities(3);
    const kit = {
      bus: system.bus,
      caPem: system.ca.certificatePem,
      measurement: system.measurement,
      launch: system.launch,
      journal: async () => [],
    };
    const policy = policyFor(kit, {
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
