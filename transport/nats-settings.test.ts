// Connecting with credentials and replicas against a real nats-server: a token, a user and
// password, an NKey seed file, each accepted when right and refused with ERR_NATS_AUTH when wrong
// or missing (the secret never in the message, the URL without its user information); an
// unreadable credentials file is ERR_NATS_SETTINGS before any connection; and more journal or
// bucket replicas than a lone server has are ERR_NATS_REPLICAS naming the count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { isVcError, subjectsFor, type VcError } from '../protocol/index.js';
import { ensureJournalStream } from './journal/jetstream-journal.js';
import { natsServerBinary, startNatsServer, type NatsServer } from './nats-server.js';
import { redactUrl } from './nats-settings.js';
import { NatsTransport, type NatsTransportOptions } from './nats-transport.js';
import { privateTempDir } from './private-dir.js';
import { KvStore } from './store/kv-store.js';

async function connects(options: NatsTransportOptions): Promise<void> {
  const bus = await NatsTransport.connect(options);
  await bus.close();
}

async function refused(options: NatsTransportOptions, code: string): Promise<VcError> {
  try {
    await connects(options);
  } catch (error) {
    assert.ok(isVcError(error, code as never), `${code} expected, got ${String(error)}`);
    return error as VcError;
  }
  throw new Error('connected');
}

async function withServer(config: string, body: (server: NatsServer) => Promise<void>) {
  const server = await startNatsServer({ config });
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

test('URLs are shown without their user information', () => {
  assert.equal(redactUrl('nats://alice:s3cret@10.0.0.1:4222'), 'nats://10.0.0.1:4222');
  assert.equal(redactUrl('tls://token@host:4443'), 'tls://host:4443');
  assert.equal(redactUrl('nats://host:4222'), 'nats://host:4222');
  assert.equal(redactUrl('host:4222'), 'host:4222');
});

test('a token: accepted when right; wrong or missing is ERR_NATS_AUTH without the secret', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  await withServer('authorization { token: "right-token-123" }', async (server) => {
    await connects({ servers: server.url, auth: { token: 'right-token-123' } });
    const wrong = await refused(
      { servers: server.url, auth: { token: 'wrong-token-456' } },
      'ERR_NATS_AUTH',
    );
    assert.doesNotMatch(wrong.message, /wrong-token-456|right-token-123/);
    assert.equal(wrong.details?.['url'], server.url);
    await refused({ servers: server.url }, 'ERR_NATS_AUTH');
    // credentials in the URL work too, and never appear in the refusal
    const inUrl = server.url.replace('nats://', 'nats://wrong-token-789@');
    const e = await refused({ servers: inUrl }, 'ERR_NATS_AUTH');
    assert.doesNotMatch(`${e.message} ${JSON.stringify(e.details)}`, /wrong-token-789/);
  });
});

test('a user and password, and an NKey seed file: accepted when right, ERR_NATS_AUTH otherwise', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const user = nkeys.createUser();
  const other = nkeys.createUser();
  const dir = privateTempDir('vc-nkey-');
  const seedFile = join(dir.path, 'user.nk');
  const otherSeedFile = join(dir.path, 'other.nk');
  writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`);
  writeFileSync(otherSeedFile, new TextDecoder().decode(other.getSeed()));
  const config = `authorization { users: [
    { user: "alice", password: "alice-pw" }
    { nkey: "${user.getPublicKey()}" }
  ] }`;
  try {
    await withServer(config, async (server) => {
      await connects({ servers: server.url, auth: { user: 'alice', password: 'alice-pw' } });
      const e = await refused(
        { servers: server.url, auth: { user: 'alice', password: 'not-alice-pw' } },
        'ERR_NATS_AUTH',
      );
      assert.doesNotMatch(e.message, /alice-pw/);
      await connects({ servers: server.url, auth: { nkeyFile: seedFile } });
      await refused({ servers: server.url, auth: { nkeyFile: otherSeedFile } }, 'ERR_NATS_AUTH');
    });
  } finally {
    dir.remove();
  }
});

test('an unreadable credentials, seed or TLS file is ERR_NATS_SETTINGS naming it', async () => {
  const missing = '/nonexistent/vc/user.creds';
  for (const options of [
    { auth: { credsFile: missing } },
    { auth: { nkeyFile: missing } },
    { tls: { caFile: missing } },
  ]) {
    const e = await refused(
      { servers: 'nats://127.0.0.1:1', ...options },
      'ERR_NATS_SETTINGS',
    ).catch((error: unknown) => error as VcError);
    assert.equal(e.details?.['file'], missing);
  }
  const dir = privateTempDir('vc-nkey-');
  try {
    const notSeed = join(dir.path, 'not-a-seed');
    writeFileSync(notSeed, 'hello\n');
    await refused(
      { servers: 'nats://127.0.0.1:1', auth: { nkeyFile: notSeed } },
      'ERR_NATS_SETTINGS',
    );
  } finally {
    dir.remove();
  }
});

test('more replicas than a lone server has: ERR_NATS_REPLICAS for the journal and a bucket', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  await withServer('', async (server) => {
    const bus = await NatsTransport.connect({ servers: server.url, namespace: 'rep' });
    try {
      await assert.rejects(
        ensureJournalStream(bus.connection, { subjects: bus.subjects, replicas: 3 }),
        (e: unknown) => {
          assert.ok(isVcError(e, 'ERR_NATS_REPLICAS'), String(e));
          assert.match((e as Error).message, /--replicas 3 .*REP_JOURNAL.*not part of a cluster/);
          return true;
        },
      );
      await assert.rejects(
        KvStore.open(bus.connection, bus.subjects.computationsBucket, undefined, { replicas: 2 }),
        (e: unknown) => isVcError(e, 'ERR_NATS_REPLICAS'),
      );
      // one replica is what a lone server has
      assert.equal(
        await ensureJournalStream(bus.connection, { subjects: bus.subjects, replicas: 1 }),
        subjectsFor('rep').journalStream,
      );
    } finally {
      await bus.close();
    }
  });
});
