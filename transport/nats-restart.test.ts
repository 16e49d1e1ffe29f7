// The NATS server is killed (SIGKILL) and restarted in the middle of an exchange of signed
// requests: the senders' retries complete every request and the receiver's idempotency cache
// keeps each effect single, even for requests that were processed but whose reply was lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ComputeDoneBody, subjectsFor } from '../protocol/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { startNatsServer } from './nats-server.js';
import { NatsTransport } from './nats-transport.js';
import { protocolKinds } from './kinds.js';
import { signEnvelope } from './envelope.js';
import { generateSigningKeyPair } from './signing-keys.js';
import { serveEnvelopes } from './serve.js';
import type { TransportStatus } from './transport.js';

/** The default namespace's subjects. */
const S = subjectsFor();

test('killing and restarting nats-server mid-exchange: requests are retried and complete with no duplicated effect', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
  const server = await startNatsServer();
  const keys = await generateSigningKeyPair();
  const kinds = protocolKinds();
  const target = '/program/p.wasm';
  const receiver = await NatsTransport.connect({ servers: server.url, name: 'receiver' });
  const sender = await NatsTransport.connect({ servers: server.url, name: 'sender' });
  const statuses: TransportStatus['type'][] = [];
  void (async () => {
    for await (const e of sender.status()) statuses.push(e.type);
  })();
  try {
    const subject = S.enclave('restart');
    const effects = new Map<number, number>();
    serveEnvelopes({
      transport: receiver,
      subject,
      open: { keys: () => keys.publicKey, kinds },
      handle: async (env) => {
        effects.set(env.seq, (effects.get(env.seq) ?? 0) + 1);
        await sleep(30); // work in progress when the server dies
        return Uint8Array.of((env.body as ComputeDoneBody).exitCode * 2);
      },
    });
    await receiver.flush();

    const total = 20;
    let retries = 0;
    const outage = (async () => {
      while (effects.size < 6) await sleep(5);
      await server.kill();
      await sleep(600);
      await server.restart();
    })();
    for (let seq = 1; seq <= total; seq++) {
      const env = await signEnvelope(
        { kind: 'compute.done', computation: 'restart', from: 'p1', seq, ts: seq },
        { target, exitCode: seq },
        keys.privateKey,
      );
      const reply = await sender.request(subject, env, {
        timeoutMs: 400,
        retry: { attempts: 40, initialDelayMs: 50, maxDelayMs: 400, onRetry: () => retries++ },
      });
      assert.deepEqual(reply, Uint8Array.of(seq * 2));
    }
    await outage;
    assert.ok(retries > 0, 'the outage forced retries');
    assert.ok(
      statuses.includes('disconnected') && statuses.includes('reconnected'),
      statuses.join(),
    );
    assert.deepEqual(
      [...effects.keys()].sort((a, b) => a - b),
      Array.from({ length: total }, (_, i) => i + 1),
    );
    for (const [seq, count] of effects) assert.equal(count, 1, `seq ${seq} ran ${count} times`);
  } finally {
    await sender.close();
    await receiver.close();
    await server.stop();
  }
});
