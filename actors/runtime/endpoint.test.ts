import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { MemoryTransport } from '../../transport/index.js';
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
