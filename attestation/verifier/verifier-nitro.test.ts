// The Nitro path through the verifier, with a synthetic Nitro PKI (our own ES384 root and leaf), so
// that the nonce and user_data binding, PCR reference values and debug refusal are exercised where
// the real documents (fixed nonces, expired leaves) cannot be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { buildEnclaveCsr, generateEnclaveKeys } from '../../enclave/index.js';
import { nitroUserData } from '../binding.js';
import { fromHex, sha256, toHex } from '../bytes.js';
import { encodeCbor } from '../cbor.js';
import { signCoseSign1 } from '../cose.js';
import { enclaveInfoOf } from '../ca/enclave-extension.js';
import { createSimWorld, type SimWorld } from '../testing/fixtures.js';
import { x509, type ErrorCode } from '../../protocol/index.js';

const ES384 = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
type Pair = webcrypto.CryptoKeyPair;

async function nitroPki(
  now: Date,
  leafCurve: 'P-384' | 'P-256' = 'P-384',
): Promise<{ root: x509.X509Certificate; leaf: x509.X509Certificate; leafKey: Pair }> {
  const rootKey = (await webcrypto.subtle.generateKey(ES384, true, ['sign', 'verify'])) as Pair;
  const leafKey = (await webcrypto.subtle.generateKey({ ...ES384, namedCurve: leafCurve }, true, [
    'sign',
    'verify',
  ])) as Pair;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=test.nitro-enclaves',
    notBefore: new Date(now.getTime() - 86400_000),
    notAfter: new Date(now.getTime() + 365 * 86400_000),
    keys: rootKey as never,
    signingAlgorithm: ES384,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=i-0123.test.nitro-enclaves',
    issuer: root.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 3 * 3600_000),
    publicKey: leafKey.publicKey as never,
    signingKey: rootKey.privateKey as never,
    signingAlgorithm: ES384,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  return { root, leaf, leafKey };
}

function pcrs(pcr0: number): Map<number, Uint8Array> {
  const map = new Map<number, Uint8Array>();
  for (let i = 0; i < 16; i++) map.set(i, new Uint8Array(48).fill(i < 3 ? pcr0 : 0));
  return map;
}

async function nitroDocument(
  pki: Awaited<ReturnType<typeof nitroPki>>,
  fields: { nonce: Uint8Array | null; userData: Uint8Array | null; pcr0: number; timestamp: Date },
): Promise<Uint8Array> {
  const doc = new Map<string, unknown>([
    ['module_id', 'i-0123-enc0001'],
    ['digest', 'SHA384'],
    ['timestamp', fields.timestamp.getTime()],
    ['pcrs', pcrs(fields.pcr0)],
    ['certificate', new Uint8Array(pki.leaf.rawData)],
    ['cabundle', [new Uint8Array(pki.root.rawData)]],
    ['public_key', null],
    ['user_data', fields.userData],
    ['nonce', fields.nonce],
  ]);
  return signCoseSign1(encodeCbor(doc), pki.leafKey.privateKey, 'ES384', { tagged: false });
}

async function setup(): Promise<{ world: SimWorld; pki: Awaited<ReturnType<typeof nitroPki>> }> {
  const world = await createSimWorld();
  const pki = await nitroPki(world.clock.now);
  await world.verifier.registry.addRoot('nitro', pki.root.toString('pem'));
  await world.verifier.registry.addReference('nitro', toHex(new Uint8Array(48).fill(7)));
  return { world, pki };
}

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

async function attempt(
  world: SimWorld,
  make: (nonce: Uint8Array, userData: Uint8Array) => Promise<Uint8Array>,
) {
  const challenge = await world.verifier.challenge({
    computation: 'n',
    platform: 'nitro',
    policyHash: world.policyHash,
    enclaveCertExpiry: world.policyExpiry,
  });
  const csr = await buildEnclaveCsr(await generateEnclaveKeys());
  const userData = nitroUserData({
    nonce: challenge.nonce,
    csrHash: sha256(csr),
    policyHash: fromHex(world.policyHash),
  });
  const evidence = await make(challenge.nonce, userData);
  return world.verifier.appraise({
    attestation: challenge.attestation,
    platform: 'nitro',
    evidence,
    csr,
  });
}

test('nitro through the verifier: bound nonce and user_data give a certificate with PCR0', async () => {
  const { world, pki } = await setup();
  const issued = await attempt(world, (nonce, userData) =>
    nitroDocument(pki, { nonce, userData, pcr0: 7, timestamp: world.clock.now }),
  );
  const info = enclaveInfoOf(issued.certificate);
  assert.equal(info.platform, 'nitro');
  assert.equal(info.measurement, '07'.repeat(48));
  assert.equal(info.insecure, false);
});

test('nitro through the verifier: refusals', async () => {
  const { world, pki } = await setup();
  const at = world.clock.now;
  // user_data missing or binding another CSR.
  await expectCode(
    attempt(world, (nonce) =>
      nitroDocument(pki, { nonce, userData: null, pcr0: 7, timestamp: at }),
    ),
    'ERR_ATTESTATION_CSR_MISMATCH',
  );
  await expectCode(
    attempt(world, (nonce, userData) =>
      nitroDocument(pki, {
        nonce,
        userData: Uint8Array.from(userData).fill(0, 0, 32),
        pcr0: 7,
        timestamp: at,
      }),
    ),
    'ERR_ATTESTATION_CSR_MISMATCH',
  );
  await expectCode(
    attempt(world, (nonce, userData) =>
      nitroDocument(pki, {
        nonce,
        userData: Uint8Array.from(userData).fill(0, 32),
        pcr0: 7,
        timestamp: at,
      }),
    ),
    'ERR_ATTESTATION_POLICY_BINDING',
  );
  // No nonce, another nonce.
  await expectCode(
    attempt(world, (_n, userData) =>
      nitroDocument(pki, { nonce: null, userData, pcr0: 7, timestamp: at }),
    ),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  // PCR0 not among the reference values; debug (all-zero) enclave.
  await expectCode(
    attempt(world, (nonce, userData) =>
      nitroDocument(pki, { nonce, userData, pcr0: 8, timestamp: at }),
    ),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await expectCode(
    attempt(world, (nonce, userData) =>
      nitroDocument(pki, { nonce, userData, pcr0: 0, timestamp: at }),
    ),
    'ERR_ATTESTATION_DEBUG',
  );
  // A PCR reference value for PCR8 that the document does not meet.
  await world.verifier.registry.addReference('nitro', '11'.repeat(48), 'pcr8');
  await expectCode(
    attempt(world, (nonce, userData) =>
      nitroDocument(pki, { nonce, userData, pcr0: 7, timestamp: at }),
    ),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await world.verifier.registry.removeReference('nitro', '11'.repeat(48), 'pcr8');
  // The verifier appraises at its clock: a leaf that expired is refused.
  world.clock.now = new Date(at.getTime() + 4 * 3600_000);
  await expectCode(
    attempt(world, (nonce, userData) =>
      nitroDocument(pki, { nonce, userData, pcr0: 7, timestamp: at }),
    ),
    'ERR_EVIDENCE_CERT_EXPIRED',
  );
  // A root nobody endorsed.
  const { world: other } = await setup();
  await expectCode(
    attempt(other, (nonce, userData) =>
      nitroDocument(pki, { nonce, userData, pcr0: 7, timestamp: other.clock.now }),
    ),
    'ERR_EVIDENCE_CHAIN',
  );
});

test('nitro: a leaf certificate without a P-384 key is a chain error', async () => {
  const { world } = await setup();
  const p256 = await nitroPki(world.clock.now, 'P-256');
  await world.verifier.registry.addRoot('nitro', p256.root.toString('pem'));
  const signer = (await webcrypto.subtle.generateKey(ES384, true, ['sign'])) as Pair;
  await expectCode(
    attempt(world, (nonce, userData) =>
      nitroDocument(
        { ...p256, leafKey: signer },
        { nonce, userData, pcr0: 7, timestamp: world.clock.now },
      ),
    ),
    'ERR_EVIDENCE_CHAIN',
  );
});
