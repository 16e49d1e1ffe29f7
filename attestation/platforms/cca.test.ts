// Arm CCA tokens: every file of ../shared/testdata/cca gives the outcome its README states (four
// valid tokens in both encodings and both realm profiles, a binding failure, a malformed collection),
// tampered copies are refused by the check they break, and synthetic tokens signed by test keys
// exercise the nonce, lifecycle and reference-value checks the fixed files cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { fromHex, sha2, toHex } from '../bytes.js';
import { asBytes, asMap, decodeCbor, isTag } from '../cbor.js';
import { endorsedKeysFromPem } from '../endorsement-keys.js';
import { generateP384, makeCcaToken } from '../testing/cca-token.js';
import { appraiseCca } from './cca.js';
import type { AppraisalOptions, EndorsedKey } from './types.js';
import type { ErrorCode } from '../../protocol/index.js';

const dir = `${sharedTestdata}cca/`;
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(dir + name));
const keyFile = (name: string): Promise<EndorsedKey[]> =>
  endorsedKeysFromPem(readFileSync(dir + name, 'utf8'));

const TFM_RIM = '311314ab73620350cf758834ae5c65d9e8c2dc7febe6e7d9654bbe864e300d49';
const TFM_INSTANCE = '0107060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918';
const TFM_TOKENS = [
  ['cca-example-token-907-realm2.cbor', 'tag:arm.com,2024:realm#2.0.0', 1],
  ['cca-example-token-907-realm1.cbor', 'tag:arm.com,2023:realm#1.0.0', 'private'],
  ['cca-example-token-399-draft00.cbor', 'tag:arm.com,2023:realm#1.0.0', undefined],
] as const;

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

const offline = (keys: readonly EndorsedKey[]): AppraisalOptions => ({
  at: new Date(),
  keys,
  anyInstance: true,
});

/** The bytes of both signed tokens of a collection, as they sit in the file. */
function signedParts(token: Uint8Array): { platform: Uint8Array; realm: Uint8Array } {
  const top = decodeCbor(token);
  assert.ok(isTag(top));
  const map = asMap(top.value, 'collection');
  const bytes = (v: unknown): Uint8Array => asBytes(Array.isArray(v) ? v[1] : v, 'token');
  return { platform: bytes(map.get(44234)), realm: bytes(map.get(44241)) };
}

/** A copy of `token` with one byte flipped at `offset` into the first occurrence of `part`. */
function flipWithin(token: Uint8Array, part: Uint8Array, offset: number): Uint8Array {
  const at = Buffer.from(token).indexOf(Buffer.from(part));
  assert.ok(at >= 0);
  const copy = Uint8Array.from(token);
  copy[at + offset] = (copy[at + offset] ?? 0) ^ 0x01;
  return copy;
}

test('CCA: the TF-M example tokens (tags 907 and 399, realm 1.0 and 2.0) verify with cpak.pub.pem and cpak.jwk.json', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const rakPem = await keyFile('rak.pub.pem');
  for (const keys of [await keyFile('cpak.pub.pem'), await keyFile('cpak.jwk.json')]) {
    for (const [file, profile, mec] of TFM_TOKENS) {
      const result = await appraiseCca(load(file), offline(keys));
      assert.equal(result.platform, 'cca');
      assert.equal(result.measurement, TFM_RIM, file);
      assert.equal(result.instanceId, TFM_INSTANCE);
      assert.equal(result.debug, false);
      const realm = result.claims['realm'] as Record<string, unknown>;
      assert.equal(realm['profile'], profile);
      assert.equal(realm['mecPolicy'], mec);
      // The RAK the token carries is the published test RAK.
      assert.ok(rakPem[0]);
      const raw = new Uint8Array(await webcrypto.subtle.exportKey('raw', rakPem[0].key));
      const cose = asMap(decodeCbor(fromHex(realm['publicKey'] as string)), 'RAK');
      assert.equal(toHex(asBytes(cose.get(-2), 'x')), toHex(raw.slice(1, 49)));
    }
  }
});

test('CCA: the ccatoken ES256 platform token verifies with iak-p256.jwk.json (binding by SHA-512)', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const result = await appraiseCca(
    load('ccatoken-good-907-es256.cbor'),
    offline(await keyFile('iak-p256.jwk.json')),
  );
  assert.equal(result.measurement, '43'.repeat(64));
  const realm = result.claims['realm'] as Record<string, unknown>;
  assert.equal(realm['publicKeyHashAlgorithm'], 'sha-512');
  assert.equal(
    (result.claims['platform'] as Record<string, unknown>)['challenge'],
    toHex(sha2('sha512', fromHex(realm['publicKey'] as string))),
  );
});

test('CCA: the bad files are refused by the check they fail; wrong keys fail the platform signature', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const cpak = await keyFile('cpak.pub.pem');
  const iak = await keyFile('iak-p256.jwk.json');
  await expectCode(
    appraiseCca(load('bad-binding-bug33.cbor'), offline(cpak)),
    'ERR_EVIDENCE_KEY_BINDING',
  );
  await expectCode(
    appraiseCca(load('bad-unwrapped-collection.cbor'), offline(cpak)),
    'ERR_EVIDENCE_MALFORMED',
  );
  for (const [file] of TFM_TOKENS)
    await expectCode(appraiseCca(load(file), offline(iak)), 'ERR_EVIDENCE_SIGNATURE');
  await expectCode(
    appraiseCca(load('ccatoken-good-907-es256.cbor'), offline(cpak)),
    'ERR_EVIDENCE_SIGNATURE',
  );
  // Not a CCA collection at all: a bare COSE_Sign1, and the PSA token.
  await expectCode(
    appraiseCca(signedParts(load(TFM_TOKENS[0][0])).platform, offline(cpak)),
    'ERR_EVIDENCE_MALFORMED',
  );
  await expectCode(
    appraiseCca(
      new Uint8Array(readFileSync(`${sharedTestdata}psa/psa-2_0_0_sign1.bin`)),
      offline(cpak),
    ),
    'ERR_EVIDENCE_MALFORMED',
  );
});

test('CCA: a flipped byte in either signed token of every valid file is refused', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const cpak = await keyFile('cpak.pub.pem');
  const iak = await keyFile('iak-p256.jwk.json');
  const files: [string, EndorsedKey[]][] = [
    ...TFM_TOKENS.map(([file]): [string, EndorsedKey[]] => [file, cpak]),
    ['ccatoken-good-907-es256.cbor', iak],
  ];
  for (const [file, keys] of files) {
    const token = load(file);
    const parts = signedParts(token);
    const platform = asMap(
      decodeCbor(asBytes((decodeCbor(parts.platform) as { value: unknown[] }).value[2], 'p')),
      'p',
    );
    const realm = asMap(
      decodeCbor(asBytes((decodeCbor(parts.realm) as { value: unknown[] }).value[2], 'r')),
      'r',
    );
    // Inside the platform's signed claims (its implementation id), in the realm's (its challenge,
    // its RIM), and in each signature.
    for (const [part, offset] of [
      [asBytes(platform.get(2396), 'implementation id'), 5],
      [asBytes(realm.get(10), 'realm challenge'), 20],
      [asBytes(realm.get(44238), 'rim'), 3],
      [parts.platform, parts.platform.length - 2],
      [parts.realm, parts.realm.length - 2],
    ] as const) {
      await expectCode(
        appraiseCca(flipWithin(token, part, offset), offline(keys)),
        'ERR_EVIDENCE_SIGNATURE',
      );
    }
  }
});

test('CCA: the platform key is found by the instance id it was endorsed for', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const [cpak] = await keyFile('cpak.pub.pem');
  assert.ok(cpak);
  const token = load(TFM_TOKENS[0][0]);
  // Endorsed for the token's (test) instance id, which is not a hash of the key.
  assert.notEqual(cpak.instanceId, TFM_INSTANCE);
  const endorsed = { at: new Date(), keys: [{ instanceId: TFM_INSTANCE, key: cpak.key }] };
  assert.equal((await appraiseCca(token, endorsed)).measurement, TFM_RIM);
  // Endorsed only for its default id: no key for this token's instance.
  await expectCode(appraiseCca(token, { at: new Date(), keys: [cpak] }), 'ERR_ENDORSEMENT_UNKNOWN');
  // Another key endorsed for the token's instance id: the signature fails.
  const other = await generateP384();
  await expectCode(
    appraiseCca(token, {
      at: new Date(),
      keys: [{ instanceId: TFM_INSTANCE, key: other.publicKey }],
    }),
    'ERR_EVIDENCE_SIGNATURE',
  );
  // Reference values of the real token: RIM, REM0 and the personalization value.
  const realm = (await appraiseCca(token, endorsed)).claims['realm'] as Record<string, unknown>;
  const rems = realm['extensibleMeasurements'] as string[];
  await appraiseCca(token, {
    ...endorsed,
    allowedMeasurements: new Set([TFM_RIM]),
    expectedValues: new Map([
      ['rem0', new Set([rems[0] ?? ''])],
      ['personalization', new Set([realm['personalizationValue'] as string])],
    ]),
  });
  await expectCode(
    appraiseCca(token, { ...endorsed, allowedMeasurements: new Set(['00'.repeat(32)]) }),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await expectCode(
    appraiseCca(token, {
      ...endorsed,
      expectedValues: new Map([['rem3', new Set([rems[0] ?? ''])]]),
    }),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await expectCode(
    appraiseCca(token, { ...endorsed, expectedNonce: new Uint8Array(64) }),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
});

test('CCA synthetic tokens: both encodings, nonce, binding, realm signer, debug lifecycle', async () => {
  const cpak = await generateP384();
  const rak = await generateP384();
  const instanceId = new Uint8Array(33).fill(0x42);
  const keys = [{ instanceId: toHex(instanceId), key: cpak.publicKey }];
  const realmChallenge = new Uint8Array(64).fill(5);
  const base = { cpak, rak, instanceId, realmChallenge, rim: new Uint8Array(32).fill(0xaa) };
  for (const tag of [907, 399] as const) {
    const ok = await appraiseCca(await makeCcaToken({ ...base, tag }), {
      at: new Date(),
      keys,
      expectedNonce: realmChallenge,
      allowedMeasurements: new Set(['aa'.repeat(32)]),
    });
    assert.equal(ok.measurement, 'aa'.repeat(32));
    assert.deepEqual(ok.nonce, realmChallenge);
  }
  await expectCode(
    appraiseCca(await makeCcaToken(base), {
      at: new Date(),
      keys,
      expectedNonce: new Uint8Array(64),
    }),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  await expectCode(
    appraiseCca(await makeCcaToken({ ...base, platformChallenge: new Uint8Array(32) }), {
      at: new Date(),
      keys,
    }),
    'ERR_EVIDENCE_KEY_BINDING',
  );
  // The realm token is signed by a key other than the RAK it carries.
  await expectCode(
    appraiseCca(await makeCcaToken({ ...base, realmSigner: (await generateP384()).privateKey }), {
      at: new Date(),
      keys,
    }),
    'ERR_EVIDENCE_SIGNATURE',
  );
  const debugToken = await makeCcaToken({ ...base, lifecycle: 0x5000 });
  await expectCode(appraiseCca(debugToken, { at: new Date(), keys }), 'ERR_ATTESTATION_DEBUG');
  const allowed = await appraiseCca(debugToken, { at: new Date(), keys, allowDebug: true });
  assert.equal(allowed.debug, true);
});
