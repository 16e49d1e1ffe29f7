// The first connect fails once, within seconds, with a code naming the URL: nothing listening,
// a port that is not NATS (one that answers something else, one that says nothing), and a server
// without the JetStream the journal needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { ensureJournalStream, JetStreamJournalReader } from './journal/jetstream-journal.js';
import { freePort, natsServerBinary, startNatsServer } from './nats-server.js';
import { NatsTransport } from './nats-transport.js';

async function refusal(url: string): Promise<{ code: string; url: unknown; ms: number }> {
  const started = Date.now();
  try {
    const bus = await NatsTransport.connect({ servers: url, connectTimeoutMs: 1500 });
    await bus.close();
  } catch (error) {
    const e = error as { code: string; details?: { url?: unknown } };
    return { code: e.code, url: e.details?.url, ms: Date.now() - started };
  }
  throw new Error(`connected to ${url}`);
}

async function withTcpServer(
  greeting: string | undefined,
  body: (url: string) => Promise<void>,
): Promise<void> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    if (greeting !== undefined) socket.write(greeting);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    await body(`nats://127.0.0.1:${port}`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('nothing at the URL: ERR_NATS_UNREACHABLE with the URL', async () => {
  const url = `nats://127.0.0.1:${await freePort()}`;
  const r = await refusal(url);
  assert.deepEqual([r.code, r.url], ['ERR_NATS_UNREACHABLE', url]);
  assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
});

test('an unknown host name: ERR_NATS_UNREACHABLE', async () => {
  const r = await refusal('nats://no-such-host.invalid:4222');
  assert.equal(r.code, 'ERR_NATS_UNREACHABLE');
  assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
});

test('a port that answers something else, or nothing: ERR_NOT_NATS with the URL', async () => {
  for (const greeting of ['HTTP/1.1 400 Bad Request\r\n\r\n', undefined]) {
    await withTcpServer(greeting, async (url) => {
      const r = await refusal(url);
      assert.deepEqual([r.code, r.url], ['ERR_NOT_NATS', url], String(greeting));
      assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
    });
  }
});

test('a server without JetStream: the journal refuses with ERR_NO_JETSTREAM naming it', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer({ jetstream: false });
  const bus = await NatsTransport.connect({ servers: server.url });
  try {
    await assert.rejects(ensureJournalStream(bus.connection), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ERR_NO_JETSTREAM');
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${server.port}`));
      return true;
    });
    const reader = new JetStreamJournalReader(bus.connection);
    await assert.rejects(
      (async () => {
        for await (const record of reader.records()) void record;
      })(),
      { code: 'ERR_NO_JETSTREAM' },
    );
  } finally {
    await bus.close();
    await server.stop();
  }
});
