import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { natsServerBinary, startNatsServer } from '../nats-server.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { FileStore } from './file-store.js';
import { KvStore } from './kv-store.js';
import { MemoryStore } from './memory-store.js';
import type { StateStore } from './state-store.js';
import type { ErrorCode } from '../../protocol/index.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined): string | undefined =>
  b ? new TextDecoder().decode(b) : undefined;

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

const keysOf = async (store: StateStore, prefix: string): Promise<string[]> =>
  (await store.entries(prefix)).map(([key]) => key);

async function contract(store: StateStore): Promise<void> {
  const r1 = await store.create('session.a', bytes('one'));
  await expectCode(store.create('session.a', bytes('again')), 'ERR_STORE_CONFLICT');
  const r2 = await store.update('session.a', bytes('two'), r1);
  await expectCode(store.update('session.a', bytes('stale'), r1), 'ERR_STORE_CONFLICT');
  const got = await store.get('session.a');
  assert.equal(text(got?.value), 'two');
  assert.equal(got?.revision, r2);
  await store.put('reference.sim.measurement.ab', bytes('x'));
  await store.put('reference.psa.measurement.cd', bytes('y'));
  assert.deepEqual(await keysOf(store, 'reference.sim.'), ['reference.sim.measurement.ab']);
  assert.deepEqual(await keysOf(store, 'reference.'), [
    'reference.psa.measurement.cd',
    'reference.sim.measurement.ab',
  ]);
  // Each entry comes with its value and revision, as `get` gives them.
  for (const [key, entry] of await store.entries('reference.'))
    assert.deepEqual(entry, await store.get(key), key);
  assert.deepEqual(
    (await store.entries('reference.')).map(([, entry]) => text(entry.value)),
    ['y', 'x'],
  );
  await store.delete('reference.sim.measurement.ab');
  assert.equal(await store.get('reference.sim.measurement.ab'), undefined);
  assert.deepEqual(await keysOf(store, 'reference.sim.'), []);
  await assert.rejects(store.get('bad key!'), TypeError);
  // Writes issued together (four hosts' launches in one tick): each gets the revision of its own
  // write, so its next compare-and-set succeeds.
  const keys = ['together.a', 'together.b', 'together.c', 'together.d'];
  const created = await Promise.all(keys.map((key) => store.create(key, bytes(key))));
  for (const [i, key] of keys.entries())
    assert.equal((await store.get(key))?.revision, created[i], key);
  await Promise.all(keys.map((key, i) => store.update(key, bytes('next'), created[i]!)));
}

test('memory store honours the contract', async () => {
  await contract(new MemoryStore());
});

test('file store honours the contract and survives reopening', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-store-'));
  try {
    const path = join(dir, 'state.json');
    const store = await FileStore.open(path);
    await contract(store);
    const reopened = await FileStore.open(path);
    assert.equal(text((await reopened.get('session.a'))?.value), 'two');
    // Revisions continue after reopening, so compare-and-set stays sound.
    const entry = await reopened.get('session.a');
    await reopened.update('session.a', bytes('three'), entry?.revision ?? -1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('JetStream KV store honours the contract', async (t) => {
  if (!requireResource(t, 'nats-server', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  try {
    await contract(await KvStore.open(nc, 'vc_store_test'));
  } finally {
    await nc.close();
    await server.stop();
  }
});

test('JetStream KV store: entries written again while they are listed are listed once, and all of them', async (t) => {
  if (!requireResource(t, 'nats-server', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  try {
    const store = await KvStore.open(nc, 'vc_store_keys_test');
    const names = Array.from({ length: 20 }, (_, i) => `computation-${i}`);
    for (const name of names) await store.put(name, Uint8Array.of(0));
    // Heartbeats: every key rewritten over and over while the listings run.
    let writing = true;
    const writer = (async () => {
      for (let round = 1; writing; round++)
        await Promise.all(names.map((name) => store.put(name, Uint8Array.of(round % 256))));
    })();
    try {
      // Every listing is complete: each key once, none missed, while all of them are rewritten.
      for (let listing = 0; listing < 30; listing++)
        assert.deepEqual(
          await keysOf(store, 'computation-'),
          [...names].sort(),
          `listing ${listing}`,
        );
    } finally {
      writing = false;
      await writer;
    }
    assert.deepEqual(await keysOf(store, 'computation-'), [...names].sort());
  } finally {
    await nc.close();
    await server.stop();
  }
});
