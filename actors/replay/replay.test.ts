import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pack, unpack } from 'msgpackr';
import { enclaveMachine, MACHINES, type EnclaveInput } from '../../machines/index.js';
import {
  RIGHTS_EXECUTE,
  RIGHTS_READ,
  RIGHTS_WRITE,
  type TraceTransitionBody,
} from '../../protocol/index.js';
import { TracedActor } from '../runtime/traced-actor.js';
import { replayTraces } from './replay.js';

const input: EnclaveInput = {
  computation: 'p1',
  policyHash: 'cd'.repeat(32),
  platform: 'sim',
  view: {
    participants: [
      {
        id: 0,
        rights: [
          { path: '/program/', rights: RIGHTS_WRITE | RIGHTS_EXECUTE },
          { path: '/output/', rights: RIGHTS_READ },
        ],
      },
    ],
    programs: ['/program/p.wasm'],
    pipelines: [],
    fileHashes: {},
    shutdown: { rule: 'any' },
  },
};

/** Runs a live enclave actor whose effects are answered by a scripted fake world. */
async function recordRun(): Promise<TraceTransitionBody[]> {
  const actor: TracedActor<typeof enclaveMachine> = new TracedActor({
    actor: 'enclave',
    machineId: 'enclave',
    machine: enclaveMachine,
    input,
    onOutput: (o) => {
      if (o.type === 'do.keys') actor.send({ type: 'io.keys.ready', session: 's1' });
      if (o.type === 'out.request' && o.kind === 'attest.start')
        actor.send({ type: 'attest.challenge', attestation: 'a1', nonce: new Uint8Array([1]) });
      if (o.type === 'do.evidence') {
        const evidence = new Uint8Array([2]);
        actor.send({ type: 'io.evidence.ready', evidence, csr: new Uint8Array([3]) });
      }
      if (o.type === 'out.request' && o.kind === 'attest.evidence') {
        actor.send({ type: 'attest.certificate', chain: ['-----BEGIN CERTIFICATE-----\n'] });
      }
      if (o.type === 'out.publish') {
        actor.send({
          type: 'provision.program',
          ref: 'r1',
          from: 0,
          path: '/program/p.wasm',
          size: 3,
          data: 'd1',
        });
      }
      if (o.type === 'do.write') actor.send({ type: 'io.written', ref: o.ref });
      if (o.type === 'out.reply' && o.kind === 'provision.ack') {
        actor.send({ type: 'shutdown.request', ref: 'r2', from: 0 });
      }
    },
  });
  actor.start();
  await actor.waitFor((s) => s.status === 'done');
  // Through msgpack, as the journal stores them.
  return unpack(pack(actor.records)) as TraceTransitionBody[];
}

test('a live run records every transition and replays without divergence', async () => {
  const records = await recordRun();
  assert.deepEqual(
    records.map((r) => r.state),
    [
      '"keying"',
      '"challenging"',
      '"evidencing"',
      '"appraising"',
      '{"serving":"idle"}',
      '{"serving":"writing"}',
      '{"serving":"idle"}',
      '"shutDown"',
    ],
  );
  assert.ok(records[0]!.input, 'the start record carries the input');
  assert.equal(
    'extra' in records[1]!.event,
    false,
    'undefined fields are dropped before the machine sees them',
  );
  const [replay] = replayTraces(records);
  assert.equal(replay!.actor, 'enclave');
  assert.equal(replay!.divergence, undefined);
});

test('a deliberately changed machine diverges at the event it handles differently', async () => {
  const records = await recordRun();
  const changed = {
    ...MACHINES,
    enclave: enclaveMachine.provide({ guards: { provisionRefused: () => true } }),
  };
  const [replay] = replayTraces(records, changed);
  const d = replay!.divergence;
  assert.ok(d);
  assert.equal(d.index, 5);
  assert.equal(d.event.type, 'provision.program');
  assert.equal(d.reason, 'state differs');
  assert.equal(d.recorded.state, '{"serving":"writing"}');
  assert.equal(d.replayed?.state, '{"serving":"idle"}');
});

test('a tampered recording is reported, not trusted', async () => {
  const records = await recordRun();
  const outputsChanged = records.map((r) => (r.index === 6 ? { ...r, outputs: [] } : r));
  assert.equal(replayTraces(outputsChanged)[0]!.divergence?.reason, 'outputs differ');
  const gap = records.filter((r) => r.index !== 3);
  assert.match(replayTraces(gap)[0]!.divergence!.reason, /missing/);
});
