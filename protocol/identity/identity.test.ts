import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  certificateKeyAlgorithm,
  checkCertificateValidity,
  commonNameOf,
  isCaCertificate,
  isCertificateValidAt,
  issueCertificate,
  parseCertificatePem,
  randomSerialNumber,
  verifyIssuedBy,
} from './certificates.js';
import { createIdentity, identityFromPem } from './identity.js';
import { exportPublicKeyPem, importPrivateKeyPem, importPublicKeyPem } from './keys.js';
import { nodeCrypto, x509 } from './x509-provider.js';

const NOW = new Date('2030-01-02T03:04:05.678Z');
const fixedRandom = (length: number) => new Uint8Array(length).fill(0xab);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: { code?: string }) => error.code === code);
}

test('time and randomness are injected: validity starts at now (whole seconds), serial from randomBytes', async () => {
  const alice = await createIdentity({
    name: 'alice',
    now: NOW,
    validityDays: 2,
    randomBytes: fixedRandom,
  });
  assert.equal(alice.certificate.notBefore.toISOString(), '2030-01-02T03:04:05.000Z');
  assert.equal(alice.certificate.notAfter.toISOString(), '2030-01-04T03:04:05.000Z');
  assert.equal(alice.certificate.serialNumber, randomSerialNumber(fixedRandom));
  assert.equal(commonNameOf(alice.certificate), 'alice');
  assert.equal(certificateKeyAlgorithm(alice.certificate), 'P-256');
  assert.equal(isCaCertificate(alice.certificate), false);
});

test('serial numbers are positive and keep their full length', () => {
  for (const fill of [0x00, 0x80, 0xff]) {
    const serial = randomSerialNumber((n) => new Uint8Array(n).fill(fill));
    assert.equal(serial.length, 32);
    assert.ok(parseInt(serial.slice(0, 2), 16) >= 0x40 && parseInt(serial.slice(0, 2), 16) < 0x80);
  }
});

test('validity is checked at a given time with distinct codes before and after', async () => {
  const { certificate } = await createIdentity({ name: 'v', now: NOW, validityDays: 1 });
  assert.ok(isCertificateValidAt(certificate, new Date('2030-01-02T12:00:00Z')));
  assert.equal(
    codeOf(() => checkCertificateValidity(certificate, new Date('2030-01-02T12:00:00Z'))),
    undefined,
  );
  assert.equal(
    codeOf(() => checkCertificateValidity(certificate, new Date('2030-01-01T00:00:00Z'))),
    'ERR_IDENTITY_CERTIFICATE_NOT_YET_VALID',
  );
  assert.equal(
    codeOf(() => checkCertificateValidity(certificate, new Date('2030-01-05T00:00:00Z'))),
    'ERR_IDENTITY_CERTIFICATE_EXPIRED',
  );
});

test('a CA issues certificates that verify against it and not against a stranger', async () => {
  const ca = await createIdentity({
    name: { commonName: 'verifier', organization: 'Veracruz-TS' },
    now: NOW,
    ca: true,
  });
  const stranger = await createIdentity({ name: 'stranger', now: NOW, ca: true });
  assert.ok(isCaCertificate(ca.certificate));
  const subject = await createIdentity({ name: 'enclave', now: NOW });
  const extension = new x509.Extension('2.25.1234', false, new Uint8Array([4, 2, 0xca, 0xfe]));
  const issued = await issueCertificate({
    issuer: ca,
    subject: 'enclave',
    subjectPublicKey: subject.publicKey,
    notBefore: NOW,
    notAfter: new Date(NOW.getTime() + 3600_000),
    randomBytes: fixedRandom,
    extensions: [extension],
  });
  assert.equal(issued.issuer, ca.certificate.subject);
  assert.ok(await verifyIssuedBy(issued, ca.certificate));
  assert.equal(await verifyIssuedBy(issued, stranger.certificate), false);
  assert.equal(isCaCertificate(issued), false);
  assert.ok(issued.getExtension('2.25.1234'));
  await rejectsWith(
    issueCertificate({
      issuer: ca,
      subject: 'x',
      subjectPublicKey: subject.publicKey,
      notBefore: NOW,
      notAfter: NOW,
    }),
    'ERR_IDENTITY_BAD_VALIDITY',
  );
});

test('identityFromPem matches the key to the certificate and accepts OpenSSL SEC1 keys', async () => {
  const alice = await createIdentity({ name: 'alice', now: NOW });
  const bob = await createIdentity({ name: 'bob', now: NOW });
  const loaded = await identityFromPem(alice.certificatePem, alice.privateKeyPem);
  assert.equal(loaded.privateKey.extractable, false);
  const data = new TextEncoder().encode('hello');
  const algorithm = { name: 'ECDSA', hash: 'SHA-256' };
  const signature = await nodeCrypto.subtle.sign(algorithm, loaded.privateKey, data);
  assert.ok(await nodeCrypto.subtle.verify(algorithm, loaded.publicKey, signature, data));
  await rejectsWith(
    identityFromPem(alice.certificatePem, bob.privateKeyPem),
    'ERR_IDENTITY_KEY_MISMATCH',
  );

  const sec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    format: 'pem',
    type: 'sec1',
  });
  assert.match(String(sec1), /EC PRIVATE KEY/);
  assert.equal((await importPrivateKeyPem(String(sec1))).algorithm.name, 'ECDSA');
});

test('keys other than P-256 and Ed25519 are refused; garbage is refused', async () => {
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({
    format: 'pem',
    type: 'pkcs8',
  });
  await rejectsWith(importPrivateKeyPem(String(p384)), 'ERR_IDENTITY_UNSUPPORTED_KEY');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
    format: 'pem',
    type: 'spki',
  });
  await rejectsWith(importPublicKeyPem(String(rsa)), 'ERR_IDENTITY_UNSUPPORTED_KEY');
  await rejectsWith(
    importPrivateKeyPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
    'ERR_IDENTITY_BAD_KEY',
  );
  const ed = await createIdentity({ name: 'ed', now: NOW, algorithm: 'Ed25519' });
  assert.equal(certificateKeyAlgorithm(ed.certificate), 'Ed25519');
  const pem = await exportPublicKeyPem(ed.publicKey);
  assert.equal((await importPublicKeyPem(pem)).algorithm.name, 'Ed25519');
});

test('parseCertificatePem wants exactly one well-formed certificate', async () => {
  const alice = await createIdentity({ name: 'alice', now: NOW });
  assert.equal(parseCertificatePem(alice.certificatePem).subject, 'CN=alice');
  assert.equal(
    codeOf(() => parseCertificatePem('hello')),
    'ERR_IDENTITY_BAD_PEM',
  );
  assert.equal(
    codeOf(() => parseCertificatePem(alice.certificatePem + alice.certificatePem)),
    'ERR_IDENTITY_BAD_PEM',
  );
  assert.equal(
    codeOf(() =>
      parseCertificatePem('-----BEGIN CERTIFICATE-----\nXXXXXXXXX\n-----END CERTIFICATE-----'),
    ),
    'ERR_IDENTITY_BAD_CERTIFICATE',
  );
});
