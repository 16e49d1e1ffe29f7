// One suite, both transports: every case runs against MemoryTransport and against NatsTransport on a
// private nats-server.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { isVcError, type VcError, type ComputeDoneBody, subjectsFor } from '../protocol/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { startNatsServer, type NatsServer } from './nats-server.js';
import { MemoryTransport } from './memory-transport.js';
import { NatsTransport } from './nats-transport.js';
import { protocolKinds } from './kinds.js';
import { signEnvelope } from './envelope.js';
import { generateSigningKeyPair } from './signing-keys.js';
import { serveEnvelopes } from './serve.js';
import { IdempotencyCache } from './idempotency.js';
import type { Transport, TransportStatus } from './transport.js';

/** The default namespace's subjects. */
const S = subjectsFor();

interface Pair {
  a: Transport;
  b: Transport;
  close(): Promise<void>;
}

let server: NatsServer | undefined;
const natsAvailable = hasBinary('nats-server');

const factories: Record<string, (t: TestContext) => Promise<Pair | undefined>> = {
  memory: async () => {
    const bus = new MemoryTransport();
    return { a: bus, b: bus, close: () => bus.close() };
  },
  nats: async (t) => {
    if (!requireResource(t, 'nats-server binary', natsAvailable)) return undefined;
    server ??= await startNatsServer();
    const a = await NatsTransport.connect({ servers: server.url, name: 'a' });
    const b = await NatsTransport.connect({ servers: server.url, name: 'b' });
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  },
};

after(async () => server?.stop());

const kinds = protocolKinds();
const target = '/program/p.wasm';
const until = (cond: () => boolean): Promise<void> =>
  new Promise((resolve) => {
    const poll = (): void => void (cond() ? resolve() : setTimeout(poll, 5));
    poll();
  });

for (const [name, make] of Object.entries(factories)) {
  describe(`Transport suite: ${name}`, () => {
    let keys: Awaited<ReturnType<typeof generateSigningKeyPair>>;
    before(async () => {
      keys = await generateSigningKeyPair();
    });

    test('publish reaches wildcard subscribers in publication order', async (t) => {
      const pair = await make(t);
      if (!pair) return;
      const got: string[] = [];
      pair.b.subscribe(
        'vc.c.x.*',
        (m) => void got.push(`${m.subject}:${new TextDecoder().decode(m.data)}`),
      );
      pair.b.subscribe('vc.>', (m) => void got.push(`all:${m.subject}`));
      await pair.b.flush();
      for (let i = 0; i < 5; i++)
        pair.a.publish('vc.c.x.enclave', new TextEncoder().encode(String(i)));
      pair.a.publish('vc.c.x.enclave.deeper', new Uint8Array());
      await pair.a.flush();
      await until(() => got.length === 11);
      assert.deepEqual(
        got.filter((g) => !g.startsWith('all:')),
        [0, 1, 2, 3, 4].map((i) => `vc.c.x.enclave:${i}`),
      );
      assert.equal(got.filter((g) => g.startsWith('all:')).length, 6);
      await pair.close();
    });

    test('a queue group receives each message exactly once', async (t) => {
      const pair = await make(t);
      if (!pair) return;
      const counts = [0, 0, 0];
      const seen: number[] = [];
      counts.forEach((_, i) =>
        pair.b.subscribe(
          'vc.hosts.launch',
          (m) => {
            counts[i] = (counts[i] ?? 0) + 1;
            seen.push(m.data[0] as number);
          },
          { queue: 'hosts' },
        ),
      );
      await pair.b.flush();
      for (let i = 0; i < 30; i++) pair.a.publish('vc.hosts.launch', Uint8Array.of(i));
      await pair.a.flush();
      await until(() => seen.length === 30);
      assert.deepEqual(
        [...seen].sort((x, y) => x - y),
        Array.from({ length: 30 }, (_, i) => i),
      );
      assert.equal(
        counts.reduce((x, y) => x + y),
        30,
      );
      await pair.close();
    });

    test('request/reply, timeout and no responders are typed', async (t) => {
      const pair = await make(t);
      if (!pair) return;
      pair.b.subscribe('vc.echo', (m) => void m.respond(Uint8Array.from([...m.data].reverse())));
      pair.b.subscribe('vc.silent', () => undefined);
      await pair.b.flush();
      assert.deepEqual(
        await pair.a.request('vc.echo', Uint8Array.of(1, 2, 3)),
        Uint8Array.of(3, 2, 1),
      );
      await assert.rejects(
        pair.a.request('vc.silent', Uint8Array.of(1), { timeoutMs: 100 }),
        (e: unknown) => isVcError(e, 'ERR_TIMEOUT'),
      );
      await assert.rejects(
        pair.a.request('vc.nobody', Uint8Array.of(1), { timeoutMs: 1000 }),
        (e: unknown) => isVcError(e, 'ERR_NO_RESPONDERS'),
      );
      await pair.close();
    });

    test('retries resend the same envelope; the receiver runs it once and answers the duplicate from its cache', async (t) => {
      const pair = await make(t);
      if (!pair) return;
      let effects = 0;
      let dropFirst = true;
      const subject = S.enclave('c1');
      serveEnvelopes({
        transport: pair.b,
        subject,
        open: { keys: () => keys.publicKey, kinds },
        handle: async (env) => {
          effects++;
          if (dropFirst) {
            dropFirst = false; // the reply is lost: the sender will retry
            return undefined;
          }
          return Uint8Array.of((env.body as ComputeDoneBody).exitCode + 1);
        },
      });
      await pair.b.flush();
      // first attempt: processed but unanswered; the retry gets... no reply either (cached empty)
      const first = await signEnvelope(
        { kind: 'compute.done', computation: 'c1', from: 'p1', seq: 1, ts: 0 },
        { target, exitCode: 1 },
        keys.privateKey,
      );
      await assert.rejects(
        pair.a.request(subject, first, {
          timeoutMs: 100,
          retry: { attempts: 2, initialDelayMs: 10 },
        }),
        (e: unknown) => isVcError(e, 'ERR_TIMEOUT'),
      );
      assert.equal(effects, 1);
      const second = await signEnvelope(
        { kind: 'compute.done', computation: 'c1', from: 'p1', seq: 2, ts: 0 },
        { target, exitCode: 41 },
        keys.privateKey,
      );
      const retries: number[] = [];
      assert.deepEqual(
        await pair.a.request(subject, second, {
          timeoutMs: 500,
          retry: { attempts: 3, onRetry: (n) => retries.push(n) },
        }),
        Uint8Array.of(42),
      );
      assert.deepEqual(
        await pair.a.request(subject, second, { timeoutMs: 500 }),
        Uint8Array.of(42),
      ); // an explicit duplicate
      assert.equal(effects, 2);
      await pair.close();
    });

    test('a replayed older seq and a reused seq with other content are refused with ERR_REPLAY', async (t) => {
      const pair = await make(t);
      if (!pair) return;
      const refused: VcError[] = [];
      let effects = 0;
      const subject = S.enclave('c2');
      serveEnvelopes({
        transport: pair.b,
        subject,
        open: { keys: () => keys.publicKey, kinds },
        cache: new IdempotencyCache({ window: 4 }),
        handle: async () => Uint8Array.of(++effects),
        onRefused: (error) => {
          refused.push(error);
          return new TextEncoder().encode(error.code);
        },
      });
      await pair.b.flush();
      const env = (seq: number, n = 0): Promise<Uint8Array> =>
        signEnvelope(
          { kind: 'compute.done', computation: 'c2', from: 'p1', seq, ts: 0 },
          { target, exitCode: n },
          keys.privateKey,
        );
      const old = await env(1);
      await pair.a.request(subject, old);
      for (let seq = 2; seq <= 10; seq++) await pair.a.request(subject, await env(seq));
      const answer = (b: Uint8Array): string => new TextDecoder().decode(b);
      assert.equal(answer(await pair.a.request(subject, old)), 'ERR_REPLAY');
      assert.equal(answer(await pair.a.request(subject, await env(10, 5))), 'ERR_REPLAY');
      const tampered = (await env(11)).slice();
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
      assert.equal(answer(await pair.a.request(subject, tampered)), 'ERR_SIGNATURE_INVALID');
      assert.equal(effects, 10);
      assert.deepEqual(
        refused.map((e) => e.code),
        ['ERR_REPLAY', 'ERR_REPLAY', 'ERR_SIGNATURE_INVALID'],
      );
      await pair.close();
    });

    test('status reports closed and its iterator ends; a closed transport refuses work', async (t) => {
      const pair = await make(t);
      if (!pair) return;
      const events: TransportStatus['type'][] = [];
      const done = (async () => {
        for await (const e of pair.a.status()) events.push(e.type);
      })();
      await pair.close();
      await done;
      assert.deepEqual(events.slice(-1), ['closed']);
      assert.throws(
        () => pair.a.publish('vc.x', new Uint8Array()),
        (e: unknown) => isVcError(e),
      );
    });
  });
}

test('memory transport delivery order is deterministic across runs', async () => {
  const run = async (): Promise<string[]> => {
    const bus = new MemoryTransport();
    const log: string[] = [];
    for (const who of ['h1', 'h2'])
      bus.subscribe('vc.hosts', (m) => void log.push(`${who}:${m.data[0]}`), { queue: 'q' });
    bus.subscribe('vc.>', (m) => {
      log.push(`tap:${m.subject}`);
      if (m.subject === 'vc.hosts' && m.data[0] === 1) bus.publish('vc.nested', new Uint8Array());
    });
    for (let i = 0; i < 4; i++) bus.publish('vc.hosts', Uint8Array.of(i));
    await bus.flush();
    await bus.close();
    return log;
  };
  const first = await run();
  assert.deepEqual(await run(), first);
  assert.deepEqual(first.slice(0, 4), ['h1:0', 'tap:vc.hosts', 'h2:1', 'tap:vc.hosts']);
});
