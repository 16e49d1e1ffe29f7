import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { MemoryTransport, NatsTransport, startNatsServer } from '../../transport/index.js';
import { isVcError } from '../../protocol/index.js';
import { Endpoint, expectReply } from './endpoint.js';
import { keyFromSenderId, keySenderId } from './sender-ids.js';

async function signer() {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  return { id: await keySenderId(pair.publicKey), key: pair.privateKey };
}

test('flush resolves once the replies owed have been handed to the bus', async () => {
  const published: string[] = [];
  const bus = new MemoryTransport({ tap: (subject) => void published.push(subject) });
  const server = new Endpoint(bus, await signer());
  const client = new Endpoint(bus, await signer());
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let asked!: () => void;
  const handling = new Promise<void>((resolve) => (asked = resolve));
  server.serve('vc.c.p1.enclave', { keys: keyFromSenderId }, async () => {
    asked();
    await released;
    return { kind: 'shutdown.ack', body: { shutDown: true, waitingFor: [] } };
  });
  const reply = client.request(
    'vc.c.p1.enclave',
    'p1',
    'shutdown.request',
    { session: 's1' },
    {
      keys: keyFromSenderId,
    },
  );
  await handling;
  const replies = () => published.filter((s) => s.startsWith('vc.inbox.')).length;
  let isFlushed = false;
  const flushed = server.flush().then(() => void (isFlushed = true));
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(isFlushed, false, 'flush waits for the reply still being decided');
  assert.equal(replies(), 0);
  release();
  await flushed;
  assert.equal(replies(), 1, 'the reply left before flush resolved');
  assert.deepEqual(expectReply(await reply, 'shutdown.ack'), { shutDown: true, waitingFor: [] });
});

test("a request larger than the server's max_payload is a typed refusal, nothing left unhandled", async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  t.after(() => void process.off('unhandledRejection', onUnhandled));
  const server = await startNatsServer({ jetstream: false, config: 'max_payload: 4096' });
  t.after(() => server.stop());
  const bus = await NatsTransport.connect({ servers: server.url });
  t.after(() => bus.close());
  const enclave = new Endpoint(bus, await signer());
  const client = new Endpoint(bus, await signer());
  enclave.serve('vc.c.p1.enclave', { keys: keyFromSenderId }, () =>
    Promise.resolve({ kind: 'provision.ack', body: { path: '/a', received: 1, complete: true } }),
  );
  const body = { session: 's1', path: '/program/a.wasm', sealed: new Uint8Array(8192), size: 8192 };
  await assert.rejects(
    client.request('vc.c.p1.enclave', 'p1', 'provision.program', body, {
      keys: keyFromSenderId,
      timeoutMs: 200,
    }),
    (e: unknown) => isVcError(e, 'ERR_PAYLOAD_TOO_LARGE'),
  );
  await assert.rejects(
    client.publish('vc.c.p1.events', 'p1', 'provision.program', body),
    (e: unknown) => isVcError(e, 'ERR_PAYLOAD_TOO_LARGE'),
  );
  // a small request still goes through on the same connection
  const small = { session: 's1', path: '/program/a.wasm', sealed: new Uint8Array(16), size: 16 };
  const reply = await client.request('vc.c.p1.enclave', 'p1', 'provision.program', small, {
    keys: keyFromSenderId,
  });
  assert.equal(expectReply(reply, 'provision.ack').complete, true);
  // nats.js's request timer (200 ms per attempt) would have fired by now
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.deepEqual(unhandled, []);
});
