import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { encodeCbor } from '../cbor.js';
import { signCoseSign1 } from '../cose.js';
import { endorsedKeysFromPem, instanceIdOf } from '../endorsement-keys.js';
import { fromHex, toPem } from '../bytes.js';
import { verifyEvidence } from '../offline-verify.js';
import { generateP256, resignPsaToken } from '../testing/psa-token.js';
import { Registry } from '../verifier/registry.js';
import { MemoryStore } from '../../transport/index.js';
import { appraisePsa, PSA_PROFILE_2 } from './psa.js';
import type { EndorsedKey } from './types.js';
import type { ErrorCode } from '../../protocol/index.js';

const dir = `${sharedTestdata}psa/`;
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(dir + name));
const publicKeys = (): Promise<EndorsedKey[]> =>
  endorsedKeysFromPem(readFileSync(`${dir}public.pem`, 'utf8'));
const SPE_2 = '96a2ec56c65120a60ce3a53ef8d2082233772aacd5b17935a92be12ac577f685';
const NSPE = '087d13c68f32aaafb8c4fc0a2253445432009765e216fb85c398c9580522c1bf';

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

test('real PSA tokens (2.0.0 and IoT-1) verify with public.pem', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const keys = await publicKeys();
  const p2 = await appraisePsa(load('psa-2_0_0_sign1.bin'), {
    at: new Date(0),
    keys,
    expectedNonce: new Uint8Array(64),
  });
  assert.equal(p2.claims['profile'], PSA_PROFILE_2);
  assert.equal(p2.instanceId, '01fa58755f658627ce5460f29b75296713248cae7ad9e2984b90280efcbcb50248');
  assert.equal(p2.measurement, NSPE);
  const iot = await appraisePsa(load('psa-iot-1_sign1.bin'), { at: new Date(0), keys });
  assert.equal(iot.claims['profile'], 'PSA_IOT_PROFILE_1');
  assert.equal(iot.instanceId, p2.instanceId);
  await appraisePsa(load('psa-2_0_0_sign1.bin'), {
    at: new Date(0),
    keys,
    allowedMeasurements: new Set([SPE_2, NSPE]),
  });
});

test('PSA refusals each carry their own code', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const keys = await publicKeys();
  const token = load('psa-2_0_0_sign1.bin');
  const flipped = Uint8Array.from(token);
  flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
  await expectCode(appraisePsa(flipped, { at: new Date(0), keys }), 'ERR_EVIDENCE_SIGNATURE');
  // Another key: its instance id differs, so no endorsement is found.
  const other = await generate();
  await expectCode(
    appraisePsa(token, { at: new Date(0), keys: [other.endorsed] }),
    'ERR_ENDORSEMENT_UNKNOWN',
  );
  // Another key registered under the token's instance id: the signature fails.
  await expectCode(
    appraisePsa(token, {
      at: new Date(0),
      keys: [{ instanceId: keys[0]?.instanceId ?? '', key: other.endorsed.key }],
    }),
    'ERR_EVIDENCE_SIGNATURE',
  );
  // A software component not among the reference values (IoT-1's SPE differs from 2.0.0's).
  await expectCode(
    appraisePsa(load('psa-iot-1_sign1.bin'), {
      at: new Date(0),
      keys,
      allowedMeasurements: new Set([SPE_2, NSPE]),
    }),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await expectCode(
    appraisePsa(token, { at: new Date(0), keys, expectedNonce: new Uint8Array(64).fill(1) }),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
});

async function generate(): Promise<{ endorsed: EndorsedKey; privateKey: webcrypto.CryptoKey }> {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  return {
    endorsed: { instanceId: await instanceIdOf(pair.publicKey), key: pair.publicKey },
    privateKey: pair.privateKey,
  };
}

async function syntheticToken(
  privateKey: webcrypto.CryptoKey,
  instanceId: string,
  lifecycle: number,
): Promise<Uint8Array> {
  const claims = new Map<number, unknown>([
    [265, PSA_PROFILE_2],
    [10, new Uint8Array(32).fill(7)],
    [256, fromHex(instanceId)],
    [2394, 1],
    [2395, lifecycle],
    [2396, new Uint8Array(32)],
    [
      2399,
      [
        new Map<number, unknown>([
          [1, 'NSPE'],
          [2, new Uint8Array(32).fill(9)],
        ]),
      ],
    ],
  ]);
  return signCoseSign1(encodeCbor(claims), privateKey, 'ES256');
}

test('PSA: synthetic tokens: secured passes, debug lifecycle refused unless allowed', async () => {
  const { endorsed, privateKey } = await generate();
  const secured = await appraisePsa(await syntheticToken(privateKey, endorsed.instanceId, 0x3000), {
    at: new Date(0),
    keys: [endorsed],
  });
  assert.equal(secured.measurement, '09'.repeat(32));
  assert.equal(secured.debug, false);
  const debugToken = await syntheticToken(privateKey, endorsed.instanceId, 0x4000);
  await expectCode(
    appraisePsa(debugToken, { at: new Date(0), keys: [endorsed] }),
    'ERR_ATTESTATION_DEBUG',
  );
  const allowed = await appraisePsa(debugToken, {
    at: new Date(0),
    keys: [endorsed],
    allowDebug: true,
  });
  assert.equal(allowed.debug, true);
  // ES384 is not a PSA algorithm.
  const p384 = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, [
    'sign',
  ])) as webcrypto.CryptoKeyPair;
  const es384 = await signCoseSign1(
    encodeCbor(new Map([[265, PSA_PROFILE_2]])),
    p384.privateKey,
    'ES384',
  );
  await expectCode(
    appraisePsa(es384, { at: new Date(0), keys: [endorsed] }),
    'ERR_EVIDENCE_ALGORITHM',
  );
});

test('PSA: a token whose instance id is not the hash of its key (shared tokens re-signed by a test key)', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const pair = await generateP256();
  const spkiPem = toPem(
    new Uint8Array(await webcrypto.subtle.exportKey('spki', pair.publicKey)),
    'PUBLIC KEY',
  );
  const [byHash] = await endorsedKeysFromPem(spkiPem);
  assert.ok(byHash);
  const instanceId = `01${'5e'.repeat(32)}`;
  assert.notEqual(byHash.instanceId, instanceId);
  for (const file of ['psa-2_0_0_sign1.bin', 'psa-iot-1_sign1.bin']) {
    const token = await resignPsaToken(load(file), fromHex(instanceId), pair.privateKey);
    // Found by its hash only: no key for the token's instance.
    await expectCode(
      appraisePsa(token, { at: new Date(0), keys: [byHash] }),
      'ERR_ENDORSEMENT_UNKNOWN',
    );
    // Endorsed for the token's instance id: verified with that key.
    const endorsed = await appraisePsa(token, {
      at: new Date(0),
      keys: [{ instanceId, key: byHash.key }],
    });
    assert.equal(endorsed.instanceId, instanceId);
    // Through the verifier's store (`vc attest endorse add --instance-id`).
    const registry = new Registry(new MemoryStore());
    await registry.addKey('psa', spkiPem, 'board', instanceId);
    await appraisePsa(token, { at: new Date(0), keys: await registry.keysFor('psa') });
    // Offline with the key given (`vc attest verify --key`): whatever the instance id.
    const offline = await verifyEvidence({
      platform: 'psa',
      evidence: token,
      keyPem: spkiPem,
      at: new Date(0),
    });
    assert.equal(offline.instanceId, instanceId);
    // ...but only with a key that verifies: the token's original key does not.
    await expectCode(
      verifyEvidence({
        platform: 'psa',
        evidence: token,
        keyPem: readFileSync(`${dir}public.pem`, 'utf8'),
        at: new Date(0),
      }),
      'ERR_EVIDENCE_SIGNATURE',
    );
  }
  // The shared tokens themselves, offline with public.pem, and with another key given.
  await verifyEvidence({
    platform: 'psa',
    evidence: load('psa-2_0_0_sign1.bin'),
    keyPem: readFileSync(`${dir}public.pem`, 'utf8'),
    at: new Date(0),
  });
  await expectCode(
    verifyEvidence({
      platform: 'psa',
      evidence: load('psa-2_0_0_sign1.bin'),
      keyPem: spkiPem,
      at: new Date(0),
    }),
    'ERR_EVIDENCE_SIGNATURE',
  );
  // public.pem endorsed for another instance id than the token's: not found.
  const registry = new Registry(new MemoryStore());
  await registry.addKey('psa', readFileSync(`${dir}public.pem`, 'utf8'), undefined, instanceId);
  await expectCode(
    appraisePsa(load('psa-2_0_0_sign1.bin'), {
      at: new Date(0),
      keys: await registry.keysFor('psa'),
    }),
    'ERR_ENDORSEMENT_UNKNOWN',
  );
});
