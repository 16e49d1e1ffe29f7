// The connection options every connecting command shares (cli/nats-options.ts): flags over
// environment variables over the `nats` CLI's context over the default; credentials whole from one
// source; malformed values ERR_USAGE, a missing context ERR_NATS_SETTINGS; and every command that
// connects takes the same options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isVcError } from '../protocol/index.js';
import { privateTempDir, settingsToEnv } from '../transport/index.js';
import { captureIo } from './command.js';
import { main } from './main.js';
import { natsSettingsFrom, replicasFrom, workerSettingsFrom } from './nats-options.js';

/** A config folder with `nats` contexts (as `nats context save` writes them), for env XDG_CONFIG_HOME. */
function contexts(
  saved: Record<string, Record<string, string>>,
  selected?: string,
): { env: NodeJS.ProcessEnv; remove: () => void } {
  const dir = privateTempDir('vc-nats-ctx-');
  const folder = join(dir.path, 'nats', 'context');
  mkdirSync(folder, { recursive: true });
  for (const [name, fields] of Object.entries(saved))
    writeFileSync(join(folder, `${name}.json`), JSON.stringify({ description: '', ...fields }));
  if (selected !== undefined) writeFileSync(join(dir.path, 'nats', 'context.txt'), selected);
  return { env: { XDG_CONFIG_HOME: dir.path }, remove: dir.remove };
}

test('defaults: the local server, the vc namespace, no credentials, no TLS', () => {
  assert.deepEqual(natsSettingsFrom({}, {}), {
    servers: ['nats://127.0.0.1:4222'],
    namespace: 'vc',
  });
});

test('flags: several URLs, each way to authenticate, TLS files, a namespace', () => {
  assert.deepEqual(
    natsSettingsFrom(
      {
        nats: 'nats://a:4222, nats://b:4222,c:4222',
        creds: 'u.creds',
        'tls-ca': 'ca.pem',
        'tls-cert': 'c.pem',
        'tls-key': 'c.key',
        namespace: 'team-a',
      },
      {},
    ),
    {
      servers: ['nats://a:4222', 'nats://b:4222', 'c:4222'],
      auth: { credsFile: 'u.creds' },
      tls: { caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'c.key' },
      namespace: 'team-a',
    },
  );
  assert.deepEqual(natsSettingsFrom({ user: 'u', password: 'p' }, {}).auth, {
    user: 'u',
    password: 'p',
  });
  assert.deepEqual(natsSettingsFrom({ token: 't' }, {}).auth, { token: 't' });
  assert.deepEqual(natsSettingsFrom({ nkey: 'u.nk' }, {}).auth, { nkeyFile: 'u.nk' });
});

test('environment variables, below flags: NATS_URL, NATS_CREDS, NATS_CA..., VC_NAMESPACE', () => {
  const env = {
    NATS_URL: 'nats://env:4222',
    NATS_CREDS: 'env.creds',
    NATS_CA: 'env-ca.pem',
    VC_NAMESPACE: 'envns',
  };
  assert.deepEqual(natsSettingsFrom({}, env), {
    servers: ['nats://env:4222'],
    auth: { credsFile: 'env.creds' },
    tls: { caFile: 'env-ca.pem' },
    namespace: 'envns',
  });
  // a flag wins, and credentials come whole from the flags (not a token plus the env's creds)
  assert.deepEqual(natsSettingsFrom({ nats: 'nats://flag:1', token: 'tk' }, env), {
    servers: ['nats://flag:1'],
    auth: { token: 'tk' },
    tls: { caFile: 'env-ca.pem' },
    namespace: 'envns',
  });
  // VC_NATS_URL, the product's own, is read before NATS_URL
  assert.deepEqual(natsSettingsFrom({}, { ...env, VC_NATS_URL: 'nats://vc:1' }).servers, [
    'nats://vc:1',
  ]);
});

test('nats contexts: named, from NATS_CONTEXT, or the selected one; below flags and env', () => {
  const saved = contexts(
    {
      prod: {
        url: 'tls://prod:4222',
        user: 'ops',
        password: 'pw',
        ca: '/etc/ca.pem',
        cert: '/etc/c.pem',
        key: '/etc/c.key',
      },
      dev: { url: 'nats://dev:4222', creds: '/home/dev.creds' },
    },
    'dev',
  );
  try {
    assert.deepEqual(natsSettingsFrom({ context: 'prod' }, saved.env), {
      servers: ['tls://prod:4222'],
      auth: { user: 'ops', password: 'pw' },
      tls: { caFile: '/etc/ca.pem', certFile: '/etc/c.pem', keyFile: '/etc/c.key' },
      namespace: 'vc',
    });
    assert.deepEqual(natsSettingsFrom({}, { ...saved.env, NATS_CONTEXT: 'prod' }).servers, [
      'tls://prod:4222',
    ]);
    // the selected context (context.txt) when none is named
    assert.deepEqual(natsSettingsFrom({}, saved.env), {
      servers: ['nats://dev:4222'],
      auth: { credsFile: '/home/dev.creds' },
      namespace: 'vc',
    });
    // flags and env override the context, credentials as a whole
    assert.deepEqual(
      natsSettingsFrom({ context: 'prod', nats: 'nats://x:1' }, { ...saved.env, NATS_TOKEN: 't' }),
      {
        servers: ['nats://x:1'],
        auth: { token: 't' },
        tls: { caFile: '/etc/ca.pem', certFile: '/etc/c.pem', keyFile: '/etc/c.key' },
        namespace: 'vc',
      },
    );
    // the enclave workers of a host: the host's servers and namespace, the context's credentials
    assert.deepEqual(
      workerSettingsFrom(
        natsSettingsFrom({ nats: 'nats://h:1', namespace: 'ns1' }, {}),
        'dev',
        saved.env,
      ),
      { servers: ['nats://h:1'], auth: { credsFile: '/home/dev.creds' }, namespace: 'ns1' },
    );
    assert.throws(
      () => natsSettingsFrom({ context: 'missing' }, saved.env),
      (e: unknown) => isVcError(e, 'ERR_NATS_SETTINGS'),
    );
    assert.throws(
      () => natsSettingsFrom({ context: '../../etc/passwd' }, saved.env),
      (e: unknown) => isVcError(e, 'ERR_NATS_SETTINGS'),
    );
  } finally {
    saved.remove();
  }
});

test('settings handed to `vc` processes in their environment read back the same', () => {
  for (const settings of [
    natsSettingsFrom(
      { nats: 'nats://a:1,nats://b:2', user: 'u', password: 'p', namespace: 'x' },
      {},
    ),
    natsSettingsFrom({ token: 't', 'tls-ca': 'ca.pem' }, {}),
    natsSettingsFrom({ creds: 'c', 'tls-cert': 'c.pem', 'tls-key': 'c.key' }, {}),
    natsSettingsFrom({ nkey: 'k' }, {}),
  ])
    assert.deepEqual(natsSettingsFrom({}, settingsToEnv(settings)), settings);
});

test('malformed options are ERR_USAGE', () => {
  const usage = (values: Parameters<typeof natsSettingsFrom>[0]) =>
    assert.throws(
      () => natsSettingsFrom(values, {}),
      (e: unknown) => isVcError(e, 'ERR_USAGE'),
      JSON.stringify(values),
    );
  usage({ token: 't', creds: 'c' });
  usage({ user: 'u', nkey: 'k' });
  usage({ password: 'p' });
  usage({ 'tls-cert': 'c.pem' });
  usage({ namespace: 'Bad.Name' });
  usage({ namespace: 'a>' });
  usage({ nats: ',' });
  usage({ nats: 'nats://[bad' });
  assert.equal(replicasFrom({}, {}), undefined);
  assert.equal(replicasFrom({ replicas: '3' }, {}), 3);
  assert.equal(replicasFrom({}, { VC_REPLICAS: '2' }), 2);
  for (const bad of ['0', '6', '1.5', 'x'])
    assert.throws(
      () => replicasFrom({ replicas: bad }, {}),
      (e: unknown) => isVcError(e, 'ERR_USAGE'),
    );
});

test('every command that connects takes the same NATS options', async () => {
  const connecting = [
    ['host'],
    ['verifier'],
    ['launch'],
    ['client'],
    ['watch'],
    ['inspect'],
    ['computations', 'list'],
    ['replay'],
    ['scenario', 'run'],
    ['attest', 'endorse', 'list'],
  ];
  for (const words of connecting) {
    const io = captureIo();
    // a malformed namespace: refused by the shared parser, never as an unknown option
    const code = await main(
      [...words, '--namespace', 'NOT VALID', '--creds', 'x', '--tls-ca', 'y', '--context', 'z'],
      io,
    );
    const text = io.stderr.join('\n');
    assert.doesNotMatch(text, /Unknown option/, `${words.join(' ')}: ${text}`);
    assert.ok(code !== 0, words.join(' '));
    const help = captureIo();
    await main([...words, '--help'], help);
    const usage = help.stdout.join('\n') + help.stderr.join('\n');
    for (const flag of [
      '--nats URL',
      '--creds',
      '--nkey',
      '--user',
      '--token',
      '--tls-ca',
      '--context',
      '--namespace',
    ])
      assert.ok(usage.includes(flag), `${words.join(' ')} --help names ${flag}`);
  }
});
