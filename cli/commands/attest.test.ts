import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsServerBinary, startNatsServer } from '../../transport/index.js';
import {
  hasBinary,
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';
import { measureRuntime, simKeyFromPem, createSimAttester } from '../../enclave/index.js';
import { fromHex, sha256, toPem } from '../../attestation/index.js';
import { generateP256, resignPsaToken } from '../../attestation/testing/index.js';

async function vc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

function tempDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vc-attest-cli-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('vc attest verify: real Nitro and PSA evidence, and refusals with codes', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const nitro = `${sharedTestdata}nitro/`;
  const psa = `${sharedTestdata}psa/`;
  const ok = await vc(
    'attest',
    'verify',
    '--platform',
    'nitro',
    '--evidence',
    `${nitro}valid-attestation-doc-bytes`,
    '--at',
    'document',
    '--root',
    `${nitro}nitro.pem`,
    '--json',
  );
  assert.equal(ok.code, 0);
  assert.equal((JSON.parse(ok.out) as { platform: string }).platform, 'nitro');
  const b64 = await vc(
    'attest',
    'verify',
    '--platform',
    'nitro',
    '--evidence',
    `${nitro}valid-attestation-doc-base64`,
    '--at',
    'document',
    '--allow-debug',
  );
  assert.equal(b64.code, 0);
  assert.match(b64.out, /DEBUG/);
  const now = await vc(
    'attest',
    'verify',
    '--platform',
    'nitro',
    '--evidence',
    `${nitro}valid-attestation-doc-bytes`,
  );
  assert.equal(now.code, 1);
  assert.match(now.err, /ERR_EVIDENCE_CERT_EXPIRED/);
  const wrongPcr = await vc(
    'attest',
    'verify',
    '--platform',
    'nitro',
    '--evidence',
    `${nitro}valid-attestation-doc-bytes`,
    '--at',
    'document',
    '--measurement',
    '00'.repeat(48),
    '--json',
  );
  assert.equal(wrongPcr.code, 1);
  assert.equal(
    (JSON.parse(wrongPcr.out) as { error: { code: string } }).error.code,
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  const p = await vc(
    'attest',
    'verify',
    '--platform',
    'psa',
    '--evidence',
    `${psa}psa-2_0_0_sign1.bin`,
    '--key',
    `${psa}public.pem`,
    '--nonce',
    '00'.repeat(64),
  );
  assert.equal(p.code, 0);
  assert.match(p.out, /arm\.com\/psa\/2\.0\.0/);
  const { dir, done } = tempDir();
  try {
    const flipped = new Uint8Array(readFileSync(`${psa}psa-2_0_0_sign1.bin`));
    flipped[flipped.length - 3] = (flipped[flipped.length - 3] ?? 0) ^ 0x80;
    writeFileSync(join(dir, 'flipped.bin'), flipped);
    const bad = await vc(
      'attest',
      'verify',
      '--platform',
      'psa',
      '--evidence',
      join(dir, 'flipped.bin'),
      '--key',
      `${psa}public.pem`,
    );
    assert.equal(bad.code, 1);
    assert.match(bad.err, /ERR_EVIDENCE_SIGNATURE/);
  } finally {
    done();
  }
  assert.equal(
    (await vc('attest', 'verify', '--platform', 'psa', '--evidence', `${psa}psa-2_0_0_sign1.bin`))
      .code,
    2,
  );
  assert.equal((await vc('attest', 'verify', '--platform', 'tpm', '--evidence', 'x')).code, 2);
});

test('vc attest verify: a Nitro document whose certificate signature is not DER is a refusal', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  // Found by the evidence fuzz (attestation/platforms/evidence-fuzz.test.ts): this byte breaks the
  // ASN.1 of a certificate's signature value, which the x509 library threw on (ERR_INTERNAL).
  const doc = new Uint8Array(readFileSync(`${sharedTestdata}nitro/valid-attestation-doc-bytes`));
  doc[4166] = 157;
  const { dir, done } = tempDir();
  t.after(done);
  writeFileSync(join(dir, 'mutated'), doc);
  const args = ['--platform', 'nitro', '--evidence', join(dir, 'mutated'), '--at', 'document'];
  const refused = await vc('attest', 'verify', ...args);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /^error ERR_EVIDENCE_CHAIN: certificate \d signature: /);
});

test('vc attest sim-key, sim evidence verified offline and marked insecure', async () => {
  const { dir, done } = tempDir();
  try {
    const keyFile = join(dir, 'sim.key.pem');
    const made = await vc('attest', 'sim-key', '--out', keyFile, '--json');
    assert.equal(made.code, 0);
    const { publicKeyPem } = JSON.parse(made.out) as { publicKeyPem: string };
    writeFileSync(join(dir, 'sim.pub.pem'), publicKeyPem);
    assert.equal((await vc('attest', 'sim-key', '--out', keyFile)).code, 1, 'never overwrites');
    const attester = await createSimAttester(await simKeyFromPem(readFileSync(keyFile, 'utf8')));
    const { measurement } = await measureRuntime();
    const nonce = new Uint8Array(32).fill(5);
    writeFileSync(
      join(dir, 'sim.cbor'),
      await attester.attest(
        { nonce, csrHash: sha256('csr'), policyHash: sha256('policy') },
        measurement,
      ),
    );
    const verified = await vc(
      'attest',
      'verify',
      '--platform',
      'sim',
      '--evidence',
      join(dir, 'sim.cbor'),
      '--key',
      join(dir, 'sim.pub.pem'),
      '--measurement',
      measurement,
      '--nonce',
      '05'.repeat(32),
    );
    assert.equal(verified.code, 0);
    assert.match(verified.out, /^INSECURE/);
    const json = await vc(
      'attest',
      'verify',
      '--platform',
      'sim',
      '--evidence',
      join(dir, 'sim.cbor'),
      '--key',
      join(dir, 'sim.pub.pem'),
      '--json',
    );
    assert.equal((JSON.parse(json.out) as { insecure: boolean }).insecure, true);
    const wrongNonce = await vc(
      'attest',
      'verify',
      '--platform',
      'sim',
      '--evidence',
      join(dir, 'sim.cbor'),
      '--key',
      join(dir, 'sim.pub.pem'),
      '--nonce',
      '06'.repeat(32),
    );
    assert.match(wrongNonce.err, /ERR_ATTESTATION_NONCE_MISMATCH/);
  } finally {
    done();
  }
});

test('vc attest measure prints the runtime measurement, --manifest the manifest it hashes', async () => {
  const expected = await measureRuntime();
  const result = await vc('attest', 'measure');
  assert.equal(result.code, 0);
  assert.equal(result.out.trim(), expected.measurement);
  const manifest = await vc('attest', 'measure', '--manifest');
  assert.equal(manifest.code, 0);
  assert.equal(`${manifest.out.trim()}\n`, expected.manifest);
  assert.equal(
    createHash('sha256').update(`${manifest.out.trim()}\n`).digest('hex'),
    expected.measurement,
  );
  assert.match(manifest.out, new RegExp(`^bundle sha256 ${expected.bundleSha256}$`, 'm'));
  assert.match(manifest.out, /^node 20$/m);
  const json = JSON.parse((await vc('attest', 'measure', '--json')).out) as Record<string, unknown>;
  assert.equal(json['measurement'], expected.measurement);
  assert.equal(json['bundleSha256'], expected.bundleSha256);
});

/** Runs vc and returns only its exit code. */
async function vcCode(...argv: string[]): Promise<number> {
  return (await vc(...argv)).code;
}

/** Makes a sim platform key in `dir` and endorses its public key in the store named by `store`. */
async function endorseSimKey(dir: string, store: readonly string[]): Promise<void> {
  await vc('attest', 'sim-key', '--out', join(dir, 'k.pem'));
  const pub = (await simKeyFromPem(readFileSync(join(dir, 'k.pem'), 'utf8'))).publicKeyPem;
  writeFileSync(join(dir, 'k.pub.pem'), pub);
  const key = ['--key', join(dir, 'k.pub.pem')];
  assert.equal(await vcCode('attest', 'endorse', 'add', '--platform', 'sim', ...key, ...store), 0);
}

test('vc attest endorse / reference manage a file store', async (t) => {
  const { dir, done } = tempDir();
  try {
    const store = ['--store', join(dir, 'state.json')];
    await endorseSimKey(dir, store);
    if (hasSharedTestdata()) {
      const nitroRoot = ['--root', `${sharedTestdata}nitro/nitro.pem`];
      const add = ['attest', 'endorse', 'add', '--platform'];
      assert.equal(await vcCode(...add, 'nitro', ...nitroRoot, ...store), 0);
      // The Nitro root is not a PSA endorsement: refused.
      assert.equal(await vcCode(...add, 'psa', ...nitroRoot, ...store), 1);
    } else requireResource(t, '../shared/testdata', false);
    const list = await vc('attest', 'endorse', 'list', ...store, '--json');
    const records = JSON.parse(list.out) as { platform: string; id: string }[];
    assert.ok(records.some((r) => r.platform === 'sim'));
    const reference = ['attest', 'reference'];
    const simValue = ['--platform', 'sim', '--value'];
    assert.equal(await vcCode(...reference, 'add', ...simValue, 'AB'.repeat(32), ...store), 0);
    const pcr8 = ['--platform', 'nitro', '--kind', 'pcr8', '--value', '01'.repeat(48)];
    assert.equal(await vcCode(...reference, 'add', ...pcr8, ...store), 0);
    const refs = JSON.parse((await vc(...reference, 'list', ...store, '--json')).out) as {
      value: string;
    }[];
    assert.deepEqual(refs.map((r) => r.value).sort(), ['01'.repeat(48), 'ab'.repeat(32)]);
    assert.equal(await vcCode(...reference, 'remove', ...simValue, 'ab'.repeat(32), ...store), 0);
    const after = JSON.parse(
      (await vc(...reference, 'list', '--platform', 'sim', ...store, '--json')).out,
    ) as unknown[];
    assert.equal(after.length, 0);
    const simId = records.find((r) => r.platform === 'sim')?.id ?? '';
    const remove = ['attest', 'endorse', 'remove', '--platform', 'sim', '--id', simId];
    assert.equal(await vcCode(...remove, ...store), 0);
  } finally {
    done();
  }
});

test('vc attest endorse / reference against NATS JetStream KV', async (t) => {
  if (!requireResource(t, 'nats-server', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer();
  const { dir, done } = tempDir();
  try {
    const nats = ['--nats', server.url, '--bucket', 'vc_cli_test'];
    await endorseSimKey(dir, nats);
    const simValue = ['--platform', 'sim', '--value', 'cd'.repeat(32)];
    assert.equal(await vcCode('attest', 'reference', 'add', ...simValue, ...nats), 0);
    const refs = JSON.parse((await vc('attest', 'reference', 'list', ...nats, '--json')).out) as {
      value: string;
    }[];
    assert.deepEqual(
      refs.map((r) => r.value),
      ['cd'.repeat(32)],
    );
    const keys = JSON.parse(
      (await vc('attest', 'endorse', 'list', '--platform', 'sim', ...nats, '--json')).out,
    ) as unknown[];
    assert.equal(keys.length, 1);
  } finally {
    done();
    await server.stop();
  }
});

test('vc attest verify --platform cca: the shared tokens, with PEM and JWK keys, and refusals by code', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const cca = `${sharedTestdata}cca/`;
  const verify = (file: string, key: string, ...more: string[]) =>
    vc(
      'attest',
      'verify',
      '--platform',
      'cca',
      '--evidence',
      cca + file,
      '--key',
      cca + key,
      ...more,
    );
  for (const file of [
    'cca-example-token-907-realm2.cbor',
    'cca-example-token-907-realm1.cbor',
    'cca-example-token-399-draft00.cbor',
  ]) {
    const ok = await verify(file, 'cpak.pub.pem', '--json');
    assert.equal(ok.code, 0, ok.err);
    const out = JSON.parse(ok.out) as { platform: string; measurement: string };
    assert.equal(out.platform, 'cca');
    assert.equal(
      out.measurement,
      '311314ab73620350cf758834ae5c65d9e8c2dc7febe6e7d9654bbe864e300d49',
    );
  }
  assert.equal((await verify('ccatoken-good-907-es256.cbor', 'iak-p256.jwk.json')).code, 0);
  const bug33 = await verify('bad-binding-bug33.cbor', 'cpak.pub.pem');
  assert.equal(bug33.code, 1);
  assert.match(bug33.err, /ERR_EVIDENCE_KEY_BINDING/);
  assert.match(
    (await verify('bad-unwrapped-collection.cbor', 'cpak.pub.pem')).err,
    /ERR_EVIDENCE_MALFORMED/,
  );
  assert.match(
    (await verify('cca-example-token-907-realm2.cbor', 'iak-p256.jwk.json')).err,
    /ERR_EVIDENCE_SIGNATURE/,
  );
  // Reference values and the nonce: the realm's RIM, REM0, personalization value and challenge.
  const claims = (
    JSON.parse(
      (await verify('cca-example-token-907-realm2.cbor', 'cpak.pub.pem', '--json')).out,
    ) as {
      claims: {
        realm: {
          extensibleMeasurements: string[];
          personalizationValue: string;
          challenge: string;
        };
      };
    }
  ).claims.realm;
  const rem0 = `0=${claims.extensibleMeasurements[0] ?? ''}`;
  const good = [
    '--measurement',
    '311314ab73620350cf758834ae5c65d9e8c2dc7febe6e7d9654bbe864e300d49',
    '--rem',
    rem0,
    '--personalization',
    claims.personalizationValue,
    '--nonce',
    claims.challenge,
  ];
  assert.equal(
    (await verify('cca-example-token-907-realm2.cbor', 'cpak.pub.pem', ...good)).code,
    0,
  );
  const badRem = await verify(
    'cca-example-token-907-realm2.cbor',
    'cpak.pub.pem',
    '--rem',
    `1=${'00'.repeat(32)}`,
  );
  assert.match(badRem.err, /ERR_MEASUREMENT_NOT_ALLOWED/);
  const badNonce = await verify(
    'cca-example-token-907-realm2.cbor',
    'cpak.pub.pem',
    '--nonce',
    '00'.repeat(64),
  );
  assert.match(badNonce.err, /ERR_ATTESTATION_NONCE_MISMATCH/);
  assert.equal(
    (await verify('cca-example-token-907-realm2.cbor', 'cpak.pub.pem', '--rem', '4=00')).code,
    2,
  );
});

test('vc attest endorse add --instance-id, and verify --key whatever the instance id (psa, cca)', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const { dir, done } = tempDir();
  try {
    const store = ['--store', join(dir, 'state.json')];
    const pair = await generateP256();
    const pem = toPem(
      new Uint8Array(await webcrypto.subtle.exportKey('spki', pair.publicKey)),
      'PUBLIC KEY',
    );
    writeFileSync(join(dir, 'board.pub.pem'), pem);
    const instanceId = `01${'5e'.repeat(32)}`;
    const token = await resignPsaToken(
      new Uint8Array(readFileSync(`${sharedTestdata}psa/psa-2_0_0_sign1.bin`)),
      fromHex(instanceId),
      pair.privateKey,
    );
    writeFileSync(join(dir, 'token.cbor'), token);
    const verify = (key: string) =>
      vc(
        'attest',
        'verify',
        '--platform',
        'psa',
        '--evidence',
        join(dir, 'token.cbor'),
        '--key',
        key,
        '--json',
      );
    const ok = await verify(join(dir, 'board.pub.pem'));
    assert.equal(ok.code, 0, ok.err);
    assert.equal(
      (JSON.parse(ok.out) as { claims: { instanceId: string } }).claims.instanceId,
      instanceId,
    );
    const wrongKey = await verify(`${sharedTestdata}psa/public.pem`);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.out, /ERR_EVIDENCE_SIGNATURE/);

    const add = ['attest', 'endorse', 'add', '--key', join(dir, 'board.pub.pem')];
    assert.equal(
      await vcCode(
        ...add,
        '--platform',
        'psa',
        '--instance-id',
        instanceId.toUpperCase(),
        ...store,
      ),
      0,
    );
    const cpak = ['--key', `${sharedTestdata}cca/cpak.pub.pem`];
    const tfm = '0107060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918';
    assert.equal(
      await vcCode(
        'attest',
        'endorse',
        'add',
        '--platform',
        'cca',
        ...cpak,
        '--instance-id',
        tfm,
        ...store,
      ),
      0,
    );
    const records = JSON.parse((await vc('attest', 'endorse', 'list', ...store, '--json')).out) as {
      platform: string;
      id: string;
    }[];
    assert.deepEqual(records.map((r) => `${r.platform} ${r.id}`).sort(), [
      `cca ${tfm}`,
      `psa ${instanceId}`,
    ]);
    // Usage errors: not hex, without --key, on sim (whose id is always the key's hash: a refusal).
    assert.equal(await vcCode(...add, '--platform', 'psa', '--instance-id', 'xyz', ...store), 2);
    assert.equal(
      await vcCode(
        'attest',
        'endorse',
        'add',
        '--platform',
        'psa',
        '--instance-id',
        '01',
        ...store,
      ),
      2,
    );
    assert.equal(
      await vcCode(...add, '--platform', 'sim', '--instance-id', instanceId, ...store),
      1,
    );
    // CCA reference kinds.
    const ref = ['attest', 'reference', 'add', '--platform', 'cca', ...store];
    assert.equal(await vcCode(...ref, '--kind', 'rem2', '--value', '03'.repeat(32)), 0);
    assert.equal(await vcCode(...ref, '--kind', 'personalization', '--value', '00'.repeat(64)), 0);
    assert.equal(await vcCode(...ref, '--kind', 'pcr2', '--value', '03'.repeat(32)), 1);
  } finally {
    done();
  }
});
