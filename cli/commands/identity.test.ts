import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import { captureIo } from '../command.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import {
  certificateToPem,
  generateKeyPair,
  issueCertificate,
  loadIdentity,
} from '../../protocol/index.js';

function openssl(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('vc identity new and ca write files that OpenSSL accepts and verifies', async (t) => {
  if (!requireResource(t, 'openssl binary', hasBinary('openssl'))) return;
  const dir = mkdtempSync(join(tmpdir(), 'vc-identity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [kind, name] of [
    ['new', 'alice'],
    ['ca', 'verifier'],
  ] as const) {
    const io = captureIo();
    assert.equal(await main(['identity', kind, '--name', name, '--out', dir], io), 0);
    assert.match(io.stdout.join('\n'), new RegExp(`${name}\\.crt\\.pem`));
  }
  const alice = join(dir, 'alice.crt.pem');
  const ca = join(dir, 'verifier.crt.pem');
  assert.equal(statSync(join(dir, 'alice.key.pem')).mode & 0o777, 0o600);

  const text = openssl(['x509', '-noout', '-text', '-in', alice]);
  assert.equal(text.status, 0, text.output);
  assert.match(text.output, /ecdsa-with-SHA256/);
  assert.match(text.output, /CA:FALSE/);
  assert.match(openssl(['x509', '-noout', '-text', '-in', ca]).output, /CA:TRUE/);
  assert.equal(openssl(['pkey', '-in', join(dir, 'alice.key.pem'), '-noout']).status, 0);

  const selfCheck = openssl(['verify', '-CAfile', alice, alice]);
  assert.equal(selfCheck.status, 0, selfCheck.output);

  // A certificate issued by the CLI-made CA verifies against it; a stranger's does not.
  const verifier = await loadIdentity(ca, join(dir, 'verifier.key.pem'));
  const keys = await generateKeyPair();
  const now = new Date();
  const leaf = await issueCertificate({
    issuer: verifier,
    subject: 'enclave',
    subjectPublicKey: keys.publicKey,
    notBefore: now,
    notAfter: new Date(now.getTime() + 3600_000),
  });
  const leafPath = join(dir, 'leaf.crt.pem');
  writeFileSync(leafPath, certificateToPem(leaf));
  const chain = openssl(['verify', '-CAfile', ca, leafPath]);
  assert.equal(chain.status, 0, chain.output);
  assert.notEqual(openssl(['verify', '-CAfile', alice, leafPath]).status, 0);
});

test('vc identity refuses to overwrite and checks its arguments', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-identity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(await main(['identity', 'new', '--name', 'bob', '--out', dir], captureIo()), 0);
  const before = readFileSync(join(dir, 'bob.key.pem'), 'utf8');
  const again = captureIo();
  assert.equal(await main(['identity', 'new', '--name', 'bob', '--out', dir], again), 1);
  assert.match(again.stderr.join('\n'), /ERR_OUTPUT_EXISTS/);
  assert.equal(readFileSync(join(dir, 'bob.key.pem'), 'utf8'), before);

  for (const argv of [
    ['identity', 'new', '--out', dir],
    ['identity', 'new', '--name', '../evil', '--out', dir],
    ['identity', 'new', '--name', 'x'],
    ['identity', 'sign', '--name', 'x', '--out', dir],
    ['identity', 'new', '--name', 'x', '--out', dir, '--days', '0'],
  ]) {
    const io = captureIo();
    assert.equal(await main(argv, io), 2, argv.join(' '));
    assert.match(io.stderr.join('\n'), /ERR_USAGE/);
  }
});

test('vc identity --json reports the files and the validity', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-identity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const io = captureIo();
  assert.equal(
    await main(['identity', 'new', '--name', 'carol', '--out', dir, '--days', '30', '--json'], io),
    0,
  );
  const report = JSON.parse(io.stdout.join('')) as Record<string, string>;
  assert.equal(report['certificate'], join(dir, 'carol.crt.pem'));
  const days =
    (Date.parse(report['notAfter'] ?? '') - Date.parse(report['notBefore'] ?? '')) / 86400_000;
  assert.equal(days, 30);
});
