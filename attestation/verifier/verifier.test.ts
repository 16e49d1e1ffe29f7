import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import {
  prepareAttestation,
  buildEnclaveCsr,
  generateEnclaveKeys,
  generateSimAttestationKey,
  createSimAttester,
} from '../../enclave/index.js';
import { psaBindingNonce } from '../binding.js';
import { fromHex, sha256, toHex, toPem } from '../bytes.js';
import { encodeCbor } from '../cbor.js';
import { signCoseSign1 } from '../cose.js';
import { buildHpkeCsr } from '../ca/csr-hpke.js';
import { ENCLAVE_EXTENSION_OID, enclaveInfoOf } from '../ca/enclave-extension.js';
import { instanceIdOf } from '../endorsement-keys.js';
import { createSimWorld, type SimWorld } from '../testing/fixtures.js';
import { x509, type ErrorCode } from '../../protocol/index.js';

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

async function attestOnce(
  world: SimWorld,
  overrides: { policyHash?: string; nonce?: Uint8Array } = {},
) {
  const challenge = await world.verifier.challenge({
    computation: 'c1',
    platform: 'sim',
    policyHash: world.policyHash,
    enclaveCertExpiry: world.policyExpiry,
  });
  const prepared = await prepareAttestation({
    attester: world.attester,
    nonce: overrides.nonce ?? challenge.nonce,
    policyHash: fromHex(overrides.policyHash ?? world.policyHash),
    measurement: world.measurement,
  });
  return {
    challenge,
    prepared,
    submission: {
      attestation: challenge.attestation,
      platform: 'sim',
      evidence: prepared.evidence,
      csr: prepared.csr,
    },
  };
}

test('sim attestation end to end: challenge, evidence, certificate, relying-party check', async () => {
  const world = await createSimWorld();
  const { submission, prepared } = await attestOnce(world);
  const issued = await world.verifier.appraise(submission);
  assert.equal(issued.chain.length, 2);
  const info = enclaveInfoOf(issued.certificate);
  assert.equal(info.platform, 'sim');
  assert.equal(info.insecure, true);
  assert.equal(info.measurement, world.measurement);
  assert.equal(info.policyHash, world.policyHash);
  assert.deepEqual(info.hpkePublicKey, prepared.keys.hpkePublicKey);
  assert.equal(issued.certificate.getExtension(x509.BasicConstraintsExtension)?.ca, false);
  assert.equal(
    issued.certificate.getExtension(x509.KeyUsagesExtension)?.usages,
    x509.KeyUsageFlags.digitalSignature,
  );
  assert.ok(issued.certificate.notAfter <= world.policyExpiry);
  const { checkEnclaveCertificate } = await import('../relying-party.js');
  const enclave = await checkEnclaveCertificate({
    chain: issued.chain,
    policy: world.policy,
    now: world.clock.now,
    platform: 'sim',
  });
  // The certified key is the enclave's signing key.
  const data = new TextEncoder().encode('hello');
  const sig = await webcrypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    prepared.keys.signing.privateKey,
    data,
  );
  assert.ok(
    await webcrypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      enclave.signingKey,
      sig,
      data,
    ),
  );
});

test('serials are random and distinct', async () => {
  const world = await createSimWorld();
  const a = await world.verifier.appraise((await attestOnce(world)).submission);
  const b = await world.verifier.appraise((await attestOnce(world)).submission);
  assert.notEqual(a.certificate.serialNumber, b.certificate.serialNumber);
  assert.ok(a.certificate.serialNumber.length >= 30);
});

test('issued certificates pass openssl verify and openssl x509 -text shows the extension', async (t) => {
  if (!requireResource(t, 'openssl', hasBinary('openssl'))) return;
  const world = await createSimWorld({ start: new Date() });
  const issued = await world.verifier.appraise((await attestOnce(world)).submission);
  const dir = mkdtempSync(join(tmpdir(), 'vc-ca-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), issued.chain[1] ?? '');
    writeFileSync(join(dir, 'leaf.pem'), issued.chain[0] ?? '');
    const verified = execFileSync(
      'openssl',
      ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')],
      { encoding: 'utf8' },
    );
    assert.match(verified, /leaf\.pem: OK/);
    const text = execFileSync(
      'openssl',
      ['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-text'],
      { encoding: 'utf8' },
    );
    assert.ok(text.includes(ENCLAVE_EXTENSION_OID), 'extension OID shown');
    assert.match(text, /CA:FALSE/);
    assert.match(text, /Digital Signature/);
    assert.doesNotMatch(text, /Certificate Sign/);
    const caText = execFileSync(
      'openssl',
      ['x509', '-in', join(dir, 'ca.pem'), '-noout', '-text'],
      { encoding: 'utf8' },
    );
    assert.match(caText, /CA:TRUE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('negative: stale nonce (challenge expired)', async () => {
  const world = await createSimWorld();
  const { submission } = await attestOnce(world);
  world.clock.now = new Date(world.clock.now.getTime() + world.verifier.config.challengeTtlMs + 1);
  await expectCode(world.verifier.appraise(submission), 'ERR_ATTESTATION_CHALLENGE_EXPIRED');
});

test('negative: reused nonce, and a failure is final for the session', async () => {
  const world = await createSimWorld();
  const { submission } = await attestOnce(world);
  await world.verifier.appraise(submission);
  await expectCode(world.verifier.appraise(submission), 'ERR_ATTESTATION_NONCE_REUSED');
  const second = await attestOnce(world);
  const otherCsr = await buildEnclaveCsr(await generateEnclaveKeys());
  await expectCode(
    world.verifier.appraise({ ...second.submission, csr: otherCsr }),
    'ERR_ATTESTATION_CSR_MISMATCH',
  );
  await expectCode(world.verifier.appraise(second.submission), 'ERR_ATTESTATION_NONCE_REUSED');
});

test('negative: concurrent answers to one challenge: exactly one wins', async () => {
  const world = await createSimWorld();
  const { submission } = await attestOnce(world);
  const results = await Promise.allSettled([
    world.verifier.appraise(submission),
    world.verifier.appraise(submission),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.equal((rejected.reason as { code: string }).code, 'ERR_ATTESTATION_NONCE_REUSED');
});

test('negative: CSR hash mismatch, wrong nonce, policy binding, unknown session, platform mismatch', async () => {
  const world = await createSimWorld();
  const a = await attestOnce(world);
  await expectCode(
    world.verifier.appraise({
      ...a.submission,
      csr: await buildEnclaveCsr(await generateEnclaveKeys()),
    }),
    'ERR_ATTESTATION_CSR_MISMATCH',
  );
  const b = await attestOnce(world, { nonce: new Uint8Array(32) });
  await expectCode(world.verifier.appraise(b.submission), 'ERR_ATTESTATION_NONCE_MISMATCH');
  const c = await attestOnce(world, { policyHash: '11'.repeat(32) });
  await expectCode(world.verifier.appraise(c.submission), 'ERR_ATTESTATION_POLICY_BINDING');
  await expectCode(
    world.verifier.appraise({ ...a.submission, attestation: '0'.repeat(32) }),
    'ERR_ATTESTATION_SESSION_UNKNOWN',
  );
  const d = await attestOnce(world);
  await expectCode(
    world.verifier.appraise({ ...d.submission, platform: 'nitro' }),
    'ERR_ATTESTATION_PLATFORM',
  );
});

test('negative: forged evidence signature and garbage CSR', async () => {
  const world = await createSimWorld();
  const a = await attestOnce(world);
  const forged = Uint8Array.from(a.submission.evidence);
  forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
  await expectCode(
    world.verifier.appraise({ ...a.submission, evidence: forged }),
    'ERR_EVIDENCE_SIGNATURE',
  );
  // Evidence that honestly binds a CSR that is not a CSR at all.
  const b = await attestOnce(world);
  const garbage = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]);
  const evidence = await world.attester.attest(
    { nonce: b.challenge.nonce, csrHash: sha256(garbage), policyHash: fromHex(world.policyHash) },
    world.measurement,
  );
  await expectCode(
    world.verifier.appraise({ ...b.submission, evidence, csr: garbage }),
    'ERR_ATTESTATION_CSR_INVALID',
  );
});

test('negative: honestly bound CSRs with a broken self-signature, another curve or a trailing byte', async () => {
  const world = await createSimWorld();
  const good = await buildEnclaveCsr(await generateEnclaveKeys());
  const badSignature = Uint8Array.from(good);
  badSignature[badSignature.length - 1] = (badSignature[badSignature.length - 1] ?? 0) ^ 1;
  const p384 = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const keys = await generateEnclaveKeys();
  const otherCurve = buildHpkeCsr(p384, keys.hpkePublicKey); // self-signed, HPKE key and all
  const trailing = Uint8Array.of(...good, 0);
  for (const csr of [badSignature, otherCurve, trailing]) {
    const a = await attestOnce(world);
    const evidence = await world.attester.attest(
      { nonce: a.challenge.nonce, csrHash: sha256(csr), policyHash: fromHex(world.policyHash) },
      world.measurement,
    );
    await expectCode(
      world.verifier.appraise({ ...a.submission, evidence, csr }),
      'ERR_ATTESTATION_CSR_INVALID',
    );
  }
});

test('negative: unknown platform key, measurement not allowed', async () => {
  const world = await createSimWorld();
  const rogue = await createSimAttester(await generateSimAttestationKey());
  const a = await attestOnce({ ...world, attester: rogue });
  await expectCode(world.verifier.appraise(a.submission), 'ERR_ENDORSEMENT_UNKNOWN');
  const b = await attestOnce({ ...world, measurement: 'ab'.repeat(32) });
  await expectCode(world.verifier.appraise(b.submission), 'ERR_MEASUREMENT_NOT_ALLOWED');
  // Removing the reference value makes the real measurement unacceptable too.
  await world.verifier.registry.removeReference('sim', world.measurement);
  const c = await attestOnce(world);
  await expectCode(world.verifier.appraise(c.submission), 'ERR_MEASUREMENT_NOT_ALLOWED');
});

test('negative: simulated evidence in strict mode', async () => {
  const world = await createSimWorld({ config: { allowSimulation: false } });
  await expectCode(
    world.verifier.challenge({
      computation: 'c',
      platform: 'sim',
      policyHash: world.policyHash,
      enclaveCertExpiry: world.policyExpiry,
    }),
    'ERR_ATTESTATION_SIMULATED',
  );
  // Also when the verifier turns strict between challenge and evidence.
  const lax = await createSimWorld();
  const { submission } = await attestOnce(lax);
  const { Verifier } = await import('./verifier.js');
  const strict = new Verifier({
    store: lax.store,
    ca: lax.ca,
    clock: () => lax.clock.now,
    random: (n) => new Uint8Array(n).fill(3),
  });
  await expectCode(strict.appraise(submission), 'ERR_ATTESTATION_SIMULATED');
});

test('negative: expired policy, unknown policy; certificates never outlive the policy', async () => {
  const world = await createSimWorld();
  const past = new Date(world.clock.now.getTime() - 1000);
  await expectCode(
    world.verifier.challenge({
      computation: 'c',
      platform: 'sim',
      policyHash: world.policyHash,
      enclaveCertExpiry: past,
    }),
    'ERR_POLICY_EXPIRED',
  );
  await expectCode(
    world.verifier.challenge({ computation: 'c', platform: 'sim', policyHash: world.policyHash }),
    'ERR_POLICY_UNKNOWN',
  );
  // The policy expires between challenge and evidence.
  const soon = await createSimWorld({ policyExpiry: new Date(Date.parse('2026-03-01T12:00:30Z')) });
  const { submission } = await attestOnce(soon);
  soon.clock.now = new Date('2026-03-01T12:00:31Z');
  await expectCode(soon.verifier.appraise(submission), 'ERR_POLICY_EXPIRED');
  // A policy expiring in one hour caps the certificate at one hour although the verifier allows a day.
  const short = await createSimWorld({ policyExpiry: new Date('2026-03-01T13:00:00Z') });
  const issued = await short.verifier.appraise((await attestOnce(short)).submission);
  assert.equal(issued.certificate.notAfter.toISOString(), '2026-03-01T13:00:00.000Z');
});

test('negative: debug PSA evidence refused; secured PSA evidence certified through the nonce binding', async () => {
  const world = await createSimWorld();
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', pair.publicKey));
  await world.verifier.registry.addKey('psa', toPem(spki, 'PUBLIC KEY'));
  const nspe = '5a'.repeat(32);
  await world.verifier.registry.addReference('psa', nspe);
  const instanceId = await instanceIdOf(pair.publicKey);
  const token = async (nonce: Uint8Array, lifecycle: number): Promise<Uint8Array> =>
    signCoseSign1(
      encodeCbor(
        new Map<number, unknown>([
          [265, 'http://arm.com/psa/2.0.0'],
          [10, nonce],
          [256, fromHex(instanceId)],
          [2395, lifecycle],
          [2396, new Uint8Array(32)],
          [
            2399,
            [
              new Map<number, unknown>([
                [1, 'NSPE'],
                [2, fromHex(nspe)],
              ]),
            ],
          ],
        ]),
      ),
      pair.privateKey,
      'ES256',
    );
  const csr = await buildEnclaveCsr(await generateEnclaveKeys());
  const run = async (lifecycle: number) => {
    const challenge = await world.verifier.challenge({
      computation: 'p',
      platform: 'psa',
      policyHash: world.policyHash,
      enclaveCertExpiry: world.policyExpiry,
    });
    const nonce = psaBindingNonce({
      nonce: challenge.nonce,
      csrHash: sha256(csr),
      policyHash: fromHex(world.policyHash),
    });
    return world.verifier.appraise({
      attestation: challenge.attestation,
      platform: 'psa',
      csr,
      evidence: await token(nonce, lifecycle),
    });
  };
  await expectCode(run(0x4000), 'ERR_ATTESTATION_DEBUG');
  const issued = await run(0x3000);
  const info = enclaveInfoOf(issued.certificate);
  assert.equal(info.platform, 'psa');
  assert.equal(info.measurement, nspe);
  assert.equal(info.insecure, false);
  assert.equal(toHex(sha256(csr)).length, 64);
});

test('old sessions are pruned; a pruned session id is unknown', async () => {
  const world = await createSimWorld();
  const done = await attestOnce(world);
  await world.verifier.appraise(done.submission);
  const abandoned = await attestOnce(world);
  assert.equal(await world.verifier.pruneSessions(), 0);
  world.clock.now = new Date(world.clock.now.getTime() + 2 * 24 * 3600_000);
  const fresh = await attestOnce(world);
  assert.equal(await world.verifier.pruneSessions(), 2);
  await expectCode(
    world.verifier.appraise(abandoned.submission),
    'ERR_ATTESTATION_SESSION_UNKNOWN',
  );
  await world.verifier.appraise(fresh.submission);
});
