import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { isVcError } from '../../protocol/index.js';
import {
  MemoryStore,
  natsServerBinary,
  startNatsServer,
  type StateStore,
} from '../../transport/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import {
  ComputationRegistry,
  openNatsRegistry,
  type NewComputation,
} from './computation-registry.js';

const launch = (host: string, worker = 'none'): NewComputation => ({
  computation: 'p0123',
  host,
  worker,
  policyHash: 'ab'.repeat(32),
  platform: 'sim',
  participants: ['c:aa', 'c:bb'],
});

/** The registry's behaviour over any store, with a clock the test moves. */
async function lifecycle(store: StateStore): Promise<void> {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const registry = new ComputationRegistry({
    store,
    clock: () => new Date(now),
    staleAfterMs: 10_000,
  });

  const first = await registry.claim(launch('host-a'));
  assert.equal(first.record.state, 'launching');
  assert.equal(await first.set({ worker: 'w-1' }), true);
  assert.equal(await first.set({ state: 'attested' }), true);

  // A second launch while the first is live is refused, naming the host and worker that hold it.
  await assert.rejects(registry.claim(launch('host-b')), (e) => {
    assert.ok(isVcError(e, 'ERR_ALREADY_RUNNING'));
    assert.match(e.message, /host-a/);
    assert.match(e.message, /w-1/);
    assert.equal(e.details?.['host'], 'host-a');
    assert.equal(e.details?.['worker'], 'w-1');
    return true;
  });

  // Heartbeats keep it live past the stale limit.
  now += 8_000;
  assert.equal(await first.heartbeat(), true);
  now += 8_000;
  assert.equal((await registry.show('p0123'))?.lost, false);
  assert.deepEqual(
    (await registry.findComputationsNaming('c:bb')).map((v) => v.computation),
    ['p0123'],
  );
  assert.deepEqual(await registry.findComputationsNaming('c:zz'), []);

  // Without heartbeats it reads as lost (failed/ERR_HOST_LOST), and a new launch replaces it.
  now += 11_000;
  const lost = await registry.show('p0123');
  assert.equal(lost?.lost, true);
  assert.equal(lost?.state, 'failed');
  assert.equal(lost?.failure?.code, 'ERR_HOST_LOST');
  const second = await registry.claim(launch('host-b', 'w-2'));
  assert.equal(second.record.host, 'host-b');
  // The old holder's writes now fail: it holds the computation no more.
  assert.equal(await first.heartbeat(), false);
  assert.equal(first.owned, false);

  // A final entry is replaced by the next launch; nothing is written after the final state.
  assert.equal(await second.set({ state: 'running' }), true);
  assert.equal(
    await second.set({
      state: 'stopped',
      failure: { code: 'ERR_COMPUTATION_STOPPED', message: 'stopped' },
    }),
    true,
  );
  assert.equal(await second.heartbeat(), false);
  const stopped = await registry.show('p0123');
  assert.equal(stopped?.state, 'stopped');
  assert.equal(stopped?.failure?.code, 'ERR_COMPUTATION_STOPPED');
  now += 60_000;
  assert.equal((await registry.show('p0123'))?.lost, false, 'a final entry is never lost');
  const third = await registry.claim(launch('host-c'));
  assert.equal(third.record.state, 'launching');

  // markLost marks a stale entry failed in the store, and leaves a live one alone.
  assert.equal((await registry.markLost('p0123'))?.state, 'launching');
  now += 11_000;
  const marked = await registry.markLost('p0123');
  assert.equal(marked?.failure?.code, 'ERR_HOST_LOST');
  assert.equal(await third.heartbeat(), false);
  assert.equal((await registry.list()).length, 1);
  assert.equal(await registry.show('p-none'), undefined);
}

test('registry over a MemoryStore: refused while live, replaced when final or lost', async () => {
  await lifecycle(new MemoryStore());
});

test('registry over JetStream KV: the same lifecycle, and two racing launches get one holder', async (t) => {
  if (!requireResource(t, 'nats-server', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  try {
    const registry = await openNatsRegistry(nc);
    await lifecycle(registry.store);
    const racing = await Promise.allSettled([
      registry.claim({ ...launch('host-x'), computation: 'p-race' }),
      registry.claim({ ...launch('host-y'), computation: 'p-race' }),
    ]);
    assert.equal(racing.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = racing.find((r) => r.status === 'rejected');
    assert.ok(isVcError(refused?.reason, 'ERR_ALREADY_RUNNING'));
  } finally {
    await nc.close();
    await server.stop();
  }
});

test('registry on a NATS server without JetStream is ERR_NO_JETSTREAM', async (t) => {
  if (!requireResource(t, 'nats-server', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer({ jetstream: false });
  const nc = await connect({ servers: server.url });
  try {
    await assert.rejects(openNatsRegistry(nc), (e) => isVcError(e, 'ERR_NO_JETSTREAM'));
  } finally {
    await nc.close();
    await server.stop();
  }
});
