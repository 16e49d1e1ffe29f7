// Least privilege on a real nats-server (docs/nats-permissions.md): the server runs the
// configuration built from each role's permissions (transport/nats-permissions.ts), with TLS
// (a CA, a server and a client certificate made by this test with openssl, client certificates
// required) and one user per role. Every scenario completes with each actor on its own role's
// user; a participant's user is refused another computation's enclave subject and another
// namespace's launch subject, and the client reports the server's refusal as ERR_NATS_PERMISSION
// naming the subject. Wrong credentials and an untrusted server certificate are refused with
// ERR_NATS_AUTH and ERR_NATS_TLS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarios } from './catalog.js';
import { prepareRun, type PreparedRun } from './prepare.js';
import { runScenario } from './run-scenario.js';
import type { Environment } from './run/environment.js';
import { natsEnvironment } from './run/nats.js';
import { openNatsRegistry } from '../actors/index.js';
import { openStateStore } from '../attestation/index.js';
import {
  JetStreamJournalReader,
  NatsTransport,
  natsAccountsConfig,
  privateTempDir,
  startNatsServer,
  type NatsRole,
  type NatsServer,
  type NatsTls,
  type NatsUser,
} from '../transport/index.js';
import { computationIdFor, isVcError, subjectsFor, type VcError } from '../protocol/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { makeTestPki, type TestPki } from '../test-support/test-pki.js';
import { shutdownWorkers } from '../enclave/index.js';
import { captureIo, main } from '../cli/index.js';

const S = subjectsFor();
const OTHER = subjectsFor('other');

/** The role of each connection natsBus makes, by its name (actors/system/system-bus.ts). */
function roleOf(name: string): NatsRole {
  if (name === 'vc-system') return 'participant';
  if (name === 'vc-verifier') return 'verifier';
  if (name.startsWith('vc-host-')) return 'host';
  if (name === 'vc-enclave') return 'enclave-worker';
  return 'watcher'; // vc-journal, vc-watch
}

const password = () => randomBytes(12).toString('hex');
const passwords = new Map<NatsRole, string>(
  (['participant', 'host', 'enclave-worker', 'verifier', 'watcher'] as const).map((r) => [
    r,
    password(),
  ]),
);

/** The users of both deployments; the participant reaches `computations` only. */
function serverConfig(pki: TestPki, computations: readonly string[]): string {
  const users = (prefix: string): NatsUser[] =>
    [...passwords].map(([role, secret]) => ({
      user: `${prefix}${role}`,
      password: secret,
      role,
      scope:
        role === 'participant'
          ? { computations }
          : role === 'host'
            ? { host: 'host-0' }
            : { verifierStore: true },
    }));
  return [
    'tls {',
    `  cert_file: ${JSON.stringify(pki.serverCertFile)}`,
    `  key_file: ${JSON.stringify(pki.serverKeyFile)}`,
    `  ca_file: ${JSON.stringify(pki.caFile)}`,
    '  verify: true',
    '  timeout: 5',
    '}',
    natsAccountsConfig([
      { subjects: S, users: users('') },
      { subjects: OTHER, users: users('other-') },
    ]),
  ].join('\n');
}

function refusedFor(subject: string) {
  return (error: unknown): boolean => {
    assert.ok(isVcError(error, 'ERR_NATS_PERMISSION'), String(error));
    assert.equal((error as VcError).details?.['subject'], subject);
    return true;
  };
}

describe('NATS least privilege, with TLS and a user per role', () => {
  let server: NatsServer | undefined;
  let env: Environment | undefined;
  let tls: NatsTls | undefined;
  let pki: TestPki | undefined;
  const runs = new Map<string, PreparedRun>();
  const folder = privateTempDir('vc-pki-');
  const ready = () => hasBinary('nats-server') && hasBinary('openssl');

  before(async () => {
    if (!ready()) return;
    pki = makeTestPki(folder.path);
    tls = { caFile: pki.caFile, certFile: pki.clientCertFile, keyFile: pki.clientKeyFile };
    // No computation is known before the system's CA exists: the participant reaches none yet.
    server = await startNatsServer({ config: serverConfig(pki, []) });
    env = await natsEnvironment({
      url: server.url,
      settings: { tls, namespace: 'vc' },
      authFor: (name) => {
        const role = roleOf(name);
        return { user: role, password: passwords.get(role)! };
      },
      // the journal in JetStream: made by a host's user, read back by a watcher's
      jetstreamReplicas: 1,
      // enclave workers as processes of their own, handed the enclave worker's user and the TLS
      // files by their host, as `vc host --worker-context` does
      workers: 'process',
      journalFile: `${folder.path}/journal.vcj`,
    });
    for (const scenario of scenarios)
      runs.set(scenario.name, await prepareRun(scenario, env.trust, { seed: 5 }));
    // Now the participant user is given exactly these computations (applied to open connections).
    await server.reload(
      serverConfig(
        pki,
        [...runs.values()].map((r) => r.computation),
      ),
    );
  });
  after(async () => {
    await env?.stop();
    await shutdownWorkers();
    await server?.stop();
    folder.remove();
  });

  for (const scenario of scenarios) {
    test(`${scenario.name} completes, each actor on its role's user`, async (t) => {
      if (!requireResource(t, 'nats-server and openssl binaries', ready())) return;
      const report = await runScenario(runs.get(scenario.name)!, env!);
      assert.equal(report.failure, undefined, JSON.stringify(report.failure));
      assert.equal(report.ok, true, report.verdict.details.join('\n'));
    });
  }

  test('a participant is refused another computation and another namespace', async (t) => {
    if (!requireResource(t, 'nats-server and openssl binaries', ready())) return;
    const participant = await NatsTransport.connect({
      servers: server!.url,
      tls,
      auth: { user: 'participant', password: passwords.get('participant')! },
    });
    const errors: unknown[] = [];
    void (async () => {
      for await (const s of participant.status()) if (s.type === 'error') errors.push(s.error);
    })();
    try {
      const stranger = computationIdFor('ab'.repeat(32));
      const enclave = S.enclave(stranger);
      // the server refuses the publish: the request fails at once with the code, not by timeout
      const started = Date.now();
      await assert.rejects(
        participant.request(enclave, Uint8Array.of(1), { timeoutMs: 10_000 }),
        refusedFor(enclave),
      );
      assert.ok(Date.now() - started < 5_000, 'refused, not timed out');
      await assert.rejects(
        participant.request(OTHER.hostsLaunch, Uint8Array.of(1), { timeoutMs: 10_000 }),
        refusedFor(OTHER.hostsLaunch),
      );
      // a participant cannot stand in for a host: subscribing to the launch subject is refused
      participant.subscribe(S.hostsLaunch, () => undefined);
      // nor read another computation's announcements
      participant.subscribe(S.events(stranger), () => undefined);
      await participant.flush();
      const refused = (): unknown[] =>
        errors
          .filter((e) => isVcError(e, 'ERR_NATS_PERMISSION'))
          .map((e) => (e as VcError).details?.['subject']);
      const deadline = Date.now() + 5_000;
      while (!refused().includes(S.events(stranger)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      assert.ok(refused().includes(S.hostsLaunch), `refused: ${refused().join(', ')}`);
      assert.ok(refused().includes(S.events(stranger)), `refused: ${refused().join(', ')}`);
      // its own computation's enclave subject is allowed (nobody is there any more: no responders
      // or a timeout, never a permission refusal)
      const own = [...runs.values()][0]!.computation;
      await assert.rejects(
        participant.request(S.live(own), Uint8Array.of(1), { timeoutMs: 1_000 }),
        (e: unknown) => !isVcError(e, 'ERR_NATS_PERMISSION'),
      );
    } finally {
      await participant.close();
    }
  });

  test('JetStream: the host makes the registry, the verifier its store, the watcher reads; a participant neither', async (t) => {
    if (!requireResource(t, 'nats-server and openssl binaries', ready())) return;
    const as = (role: NatsRole) =>
      NatsTransport.connect({
        servers: server!.url,
        tls,
        auth: { user: role, password: passwords.get(role)! },
      });
    const host = await as('host');
    const watcher = await as('watcher');
    const participant = await as('participant');
    try {
      const registry = await openNatsRegistry(host.connection, { subjects: host.subjects });
      await registry.claim({
        computation: 'p-perm-test',
        host: 'host-0',
        worker: 'w-1',
        policyHash: 'ab'.repeat(32),
        platform: 'sim',
        participants: [],
      });
      const seen = await openNatsRegistry(watcher.connection, { subjects: watcher.subjects });
      assert.ok((await seen.list()).some((e) => e.computation === 'p-perm-test'));
      // the journal the scenarios wrote, read by the watcher
      let records = 0;
      for await (const r of new JetStreamJournalReader(
        watcher.connection,
        S.journalStream,
      ).records()) {
        assert.ok(r.subject.startsWith('vc.'));
        records += 1;
      }
      assert.ok(records > 0, 'the watcher reads the journal');
      await assert.rejects(
        (async () => {
          for await (const r of new JetStreamJournalReader(participant.connection).records())
            void r;
        })(),
        'a participant cannot read the journal',
      );
      const store = await openStateStore({
        kind: 'nats',
        settings: {
          servers: [server!.url],
          tls: tls!,
          auth: { user: 'verifier', password: passwords.get('verifier')! },
        },
      });
      await store.create('k', Uint8Array.of(1));
      assert.deepEqual((await store.get('k'))?.value, Uint8Array.of(1));
      await store.close();
    } finally {
      for (const bus of [host, watcher, participant]) await bus.close();
    }
  });

  test('vc commands connect through a nats context: TLS and the watcher user; a wrong password is ERR_NATS_AUTH', async (t) => {
    if (!requireResource(t, 'nats-server and openssl binaries', ready())) return;
    const config = join(folder.path, 'config');
    mkdirSync(join(config, 'nats', 'context'), { recursive: true });
    const context = (name: string, secret: string) =>
      writeFileSync(
        join(config, 'nats', 'context', `${name}.json`),
        JSON.stringify({
          url: server!.url,
          user: 'watcher',
          password: secret,
          ca: pki!.caFile,
          cert: pki!.clientCertFile,
          key: pki!.clientKeyFile,
        }),
      );
    context('vc-watch', passwords.get('watcher')!);
    context('vc-wrong', 'not-the-password');
    const saved = process.env['XDG_CONFIG_HOME'];
    process.env['XDG_CONFIG_HOME'] = config;
    try {
      const io = captureIo();
      assert.equal(
        await main(['computations', 'list', '--context', 'vc-watch', '--json'], io),
        0,
        io.stderr.join('\n'),
      );
      assert.match(io.stdout.join('\n'), /p-perm-test/);
      const wrong = captureIo();
      assert.equal(await main(['computations', 'list', '--context', 'vc-wrong'], wrong), 1);
      assert.match(wrong.stderr.join('\n'), /^error ERR_NATS_AUTH: /);
      assert.doesNotMatch(wrong.stderr.join('\n'), /not-the-password/);
    } finally {
      if (saved === undefined) delete process.env['XDG_CONFIG_HOME'];
      else process.env['XDG_CONFIG_HOME'] = saved;
    }
  });

  test('wrong credentials, no credentials and an untrusted server are refused with their codes', async (t) => {
    if (!requireResource(t, 'nats-server and openssl binaries', ready())) return;
    await assert.rejects(
      NatsTransport.connect({
        servers: server!.url,
        tls,
        auth: { user: 'participant', password: 'not-the-password' },
      }),
      (e: unknown) => {
        assert.ok(isVcError(e, 'ERR_NATS_AUTH'), String(e));
        assert.doesNotMatch((e as Error).message, /not-the-password/);
        return true;
      },
    );
    await assert.rejects(NatsTransport.connect({ servers: server!.url, tls }), (e: unknown) =>
      isVcError(e, 'ERR_NATS_AUTH'),
    );
    await assert.rejects(
      NatsTransport.connect({
        servers: server!.url,
        tls: { ...tls, caFile: pki!.otherCaFile },
        auth: { user: 'participant', password: passwords.get('participant')! },
      }),
      (e: unknown) => {
        assert.ok(isVcError(e, 'ERR_NATS_TLS'), String(e));
        return true;
      },
    );
  });
});
