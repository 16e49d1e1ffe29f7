// Bulk chunks (docs/protocol.md, "Bulk chunks"): the sealed bytes of upload and result chunks
// travel outside the journal, the journaled signed messages name their SHA-256 and size. The
// JetStream journal of a multi-chunk upload and result holds no chunk ciphertext and still replays;
// a substituted chunk is refused, a dropped one ends in a typed error, and nothing partial is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  type GeneratedIdentity,
  type LoadedPolicy,
  computationIdFor,
} from '../../protocol/index.js';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { natsServerBinary, startNatsServer, type Transport } from '../../transport/index.js';
import { readComputation } from '../replay/journal-runs.js';
import { replayTraces } from '../replay/replay.js';
import { memoryBus, natsBus } from '../system/system-bus.js';
import { startSystem, type System } from '../system/system.js';
import { runParty, type PartyOutcome } from './run-computation.js';

const PROGRAM = '/program/read-file.wasm';
const INPUT = '/input/hello-world-1.dat';
const OUTPUT = '/output/hello-world-1.dat';
/** Three 512 KiB chunks each way. */
const SIZE = 3 * 2 ** 19 - 1000;

function policyOf(system: System, owner: GeneratedIdentity): LoadedPolicy {
  return policyFor(system, {
    participants: [{ identity: owner, capabilities: ['/program/:wx', '/input/:rw', '/output/:r'] }],
    programs: [
      {
        path: PROGRAM,
        bytes: wasmOf('read-file'),
        capabilities: ['/input/:r', '/output/:rw', 'stdout:w'],
      },
    ],
    maxMemoryMib: 64,
  });
}

function roundTrip(
  bus: Transport,
  policy: LoadedPolicy,
  owner: GeneratedIdentity,
  input: Uint8Array,
): Promise<PartyOutcome> {
  return runParty(
    { bus, policy },
    {
      identity: owner,
      sources: { program: wasmOf('read-file'), input },
      steps: [
        { op: 'program', path: PROGRAM, source: 'program' },
        { op: 'data', path: INPUT, source: 'input', mode: 'write' },
        { op: 'compute', program: PROGRAM },
        { op: 'result', path: OUTPUT, destination: 'copy' },
      ],
    },
  );
}

test('the JetStream journal of a chunked upload and result holds digests, not ciphertext, and replays', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer({ jetstream: true });
  const system = await startSystem({
    bus: await natsBus({ servers: server.url, journal: { kind: 'jetstream' } }),
  });
  try {
    const [owner] = (await identities(1)) as [GeneratedIdentity];
    const policy = policyOf(system, owner);
    await system.launch(policy);
    const input = new Uint8Array(randomBytes(SIZE));
    const outcome = await roundTrip(system.bus, policy, owner, input);
    assert.equal(outcome.state, 'done', JSON.stringify(outcome.failure));
    assert.deepEqual(outcome.results.get('copy'), input);

    const computation = computationIdFor(policy.hash);
    const records = await system.journal(computation);
    assert.ok(records.length > 0);
    assert.ok(records.every((r) => !r.subject.startsWith('vc.bulk.')));
    // Every chunk is 512 KiB of ciphertext; no journaled message comes near one.
    const largest = Math.max(...records.map((r) => r.data.length));
    assert.ok(largest < 64 * 1024, `largest journaled record: ${largest} bytes`);
    const journaled = records.reduce((sum, r) => sum + r.data.length, 0);
    assert.ok(journaled < SIZE, `journaled ${journaled} bytes for a ${SIZE}-byte file each way`);

    const run = await readComputation(records, computation);
    const kinds = run.messages.map((m) => m.kind);
    assert.equal(kinds.filter((k) => k === 'provision.data').length, 3);
    assert.ok(kinds.filter((k) => k === 'result.data').length >= 3);
    const actors = replayTraces(run.traces);
    assert.ok(actors.some((a) => a.machine === 'enclave'));
    for (const actor of actors)
      assert.equal(actor.divergence, undefined, `${actor.actor}: ${actor.divergence?.reason}`);
  } finally {
    await system.stop();
    await server.stop();
  }
});

/** The participant's bus with its bulk publishes of one upload chunk changed by `change`. */
function tampered(bus: Transport, change: (data: Uint8Array) => Uint8Array | undefined): Transport {
  let seen = 0;
  return new Proxy(bus, {
    get(target, key, receiver) {
      if (key !== 'publish') {
        const value = Reflect.get(target, key, receiver) as unknown;
        // MemoryTransport's methods use private fields: they run on the bus itself.
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      }
      return (subject: string, data: Uint8Array) => {
        // The program is one chunk (index 0); the input's second chunk is changed.
        if (subject.startsWith('vc.bulk.') && subject.endsWith('.1') && seen++ === 0) {
          const changed = change(data);
          if (changed) target.publish(subject, changed);
          return;
        }
        target.publish(subject, data);
      };
    },
  });
}

for (const [what, code, change] of [
  [
    'a substituted bulk chunk is refused',
    'ERR_BULK_MISMATCH',
    (data: Uint8Array) => {
      const copy = Uint8Array.from(data);
      copy[100]! ^= 1;
      return copy;
    },
  ],
  ['a dropped bulk chunk ends in a typed error', 'ERR_BULK_MISSING', () => undefined],
] as const) {
  test(`${what}, and nothing of the upload is kept`, async () => {
    const bus = memoryBus();
    const system = await startSystem({ bus });
    try {
      const [owner] = (await identities(1)) as [GeneratedIdentity];
      const policy = policyOf(system, owner);
      await system.launch(policy);
      const input = new Uint8Array(randomBytes(SIZE));
      const outcome = await roundTrip(tampered(system.bus, change), policy, owner, input);
      assert.equal(outcome.state, 'failed');
      assert.equal(outcome.failure?.code, code);
      // The enclave never took the file: reading it back is refused (it does not exist).
      const again = await runParty(
        { bus: system.bus, policy },
        {
          identity: owner,
          sources: {},
          steps: [{ op: 'result', path: INPUT, destination: 'copy' }],
        },
      );
      assert.equal(again.state, 'failed');
      assert.equal(again.results.get('copy'), undefined);
    } finally {
      await system.stop();
    }
  });
}
