// The CCA path through the verifier. Each real token of ../shared/testdata/cca is driven through a
// verifier session: its realm challenge is fixed, so it cannot bind our CSR and the appraisal ends
// with the binding check's code (or the code of the check the file fails first). Synthetic tokens in
// the same format, signed by a test CPAK endorsed for an instance id that is not a hash of it, carry
// the realm challenge SHA-512(nonce || SHA-256(CSR) || policy hash) and get an enclave certificate
// that the relying-party check accepts. PSA keys endorsed by instance id go through the same store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { buildEnclaveCsr, generateEnclaveKeys } from '../../enclave/index.js';
import { ccaRealmChallenge, psaBindingNonce } from '../binding.js';
import { fromHex, sha256, toHex, toPem } from '../bytes.js';
import { encodeCbor } from '../cbor.js';
import { signCoseSign1 } from '../cose.js';
import { enclaveInfoOf } from '../ca/enclave-extension.js';
import { checkEnclaveCertificate } from '../relying-party.js';
import { createSimWorld, type SimWorld } from '../testing/fixtures.js';
import { generateP384, makeCcaToken } from '../testing/cca-token.js';
import type { ErrorCode } from '../../protocol/index.js';

const RIM = 'ab'.repeat(32);
const TFM_RIM = '311314ab73620350cf758834ae5c65d9e8c2dc7febe6e7d9654bbe864e300d49';
const TFM_INSTANCE = '0107060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918';

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

async function spkiPem(key: webcrypto.CryptoKey): Promise<string> {
  return toPem(new Uint8Array(await webcrypto.subtle.exportKey('spki', key)), 'PUBLIC KEY');
}

/** One verifier session on `platform`: the evidence is made from the expected binding. */
async function attempt(
  world: SimWorld,
  platform: 'cca' | 'psa',
  make: (binding: {
    nonce: Uint8Array;
    csrHash: Uint8Array;
    policyHash: Uint8Array;
  }) => Promise<Uint8Array>,
) {
  const challenge = await world.verifier.challenge({
    computation: 'c',
    platform,
    policyHash: world.policyHash,
    enclaveCertExpiry: world.policyExpiry,
  });
  const csr = await buildEnclaveCsr(await generateEnclaveKeys());
  const evidence = await make({
    nonce: challenge.nonce,
    csrHash: sha256(csr),
    policyHash: fromHex(world.policyHash),
  });
  return world.verifier.appraise({ attestation: challenge.attestation, platform, evidence, csr });
}

test('cca through the verifier: a bound realm challenge gets a certificate with the RIM that participants accept', async () => {
  const world = await createSimWorld({ runtimeHashes: { cca: [RIM] } });
  const cpak = await generateP384();
  const rak = await generateP384();
  const instanceId = new Uint8Array(33).fill(0x17);
  await world.verifier.registry.addKey(
    'cca',
    await spkiPem(cpak.publicKey),
    'test CPAK',
    toHex(instanceId),
  );
  await world.verifier.registry.addReference('cca', RIM);
  await world.verifier.registry.addReference('cca', '03'.repeat(32), 'rem2');
  const token = (realmChallenge: Uint8Array, extra: object = {}) =>
    makeCcaToken({ cpak, rak, instanceId, realmChallenge, rim: fromHex(RIM), ...extra });

  const issued = await attempt(world, 'cca', (b) => token(ccaRealmChallenge(b)));
  const info = enclaveInfoOf(issued.certificate);
  assert.equal(info.platform, 'cca');
  assert.equal(info.measurement, RIM);
  assert.equal(info.insecure, false);
  const enclave = await checkEnclaveCertificate({
    chain: issued.chain,
    policy: world.policy,
    now: world.clock.now,
    platform: 'cca',
  });
  assert.equal(enclave.measurement, RIM);

  // Refusals, each by its code: the unbound challenge (a plain nonce, or another CSR's binding),
  // a debug platform, another RIM, another REM2, an unendorsed instance id, a broken key binding.
  await expectCode(
    attempt(world, 'cca', (b) => token(Uint8Array.of(...b.nonce, ...b.nonce))),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  await expectCode(
    attempt(world, 'cca', (b) => token(ccaRealmChallenge({ ...b, csrHash: sha256('other CSR') }))),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  await expectCode(
    attempt(world, 'cca', (b) =>
      token(ccaRealmChallenge({ ...b, policyHash: sha256('other policy') })),
    ),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  await expectCode(
    attempt(world, 'cca', (b) => token(ccaRealmChallenge(b), { lifecycle: 0x4000 })),
    'ERR_ATTESTATION_DEBUG',
  );
  await expectCode(
    attempt(world, 'cca', (b) => token(ccaRealmChallenge(b), { rim: new Uint8Array(32) })),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await expectCode(
    attempt(world, 'cca', (b) =>
      token(ccaRealmChallenge(b), { rems: [1, 2, 9, 4].map((n) => new Uint8Array(32).fill(n)) }),
    ),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await expectCode(
    attempt(world, 'cca', (b) => token(ccaRealmChallenge(b), { instanceId: new Uint8Array(33) })),
    'ERR_ENDORSEMENT_UNKNOWN',
  );
  await expectCode(
    attempt(world, 'cca', (b) =>
      token(ccaRealmChallenge(b), { platformChallenge: new Uint8Array(32) }),
    ),
    'ERR_EVIDENCE_KEY_BINDING',
  );
});

test('cca through the verifier: each shared token ends with the code of the check it fails', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const dir = `${sharedTestdata}cca/`;
  const world = await createSimWorld({ runtimeHashes: { cca: [TFM_RIM] } });
  const registry = world.verifier.registry;
  await registry.addKey(
    'cca',
    readFileSync(`${dir}cpak.pub.pem`, 'utf8'),
    'TF-M test CPAK',
    TFM_INSTANCE,
  );
  await registry.addReference('cca', TFM_RIM);
  // ccatoken's platform key, endorsed for that token's instance id (a PEM made from its JWK).
  const jwk = JSON.parse(readFileSync(`${dir}iak-p256.jwk.json`, 'utf8')) as webcrypto.JsonWebKey;
  const iak = await webcrypto.subtle.importKey(
    'jwk',
    jwk,
    { name: 'ECDSA', namedCurve: 'P-256' },
    true,
    ['verify'],
  );
  await registry.addKey('cca', await spkiPem(iak), 'ccatoken test IAK', '01' + '02'.repeat(32));
  await registry.addReference('cca', '43'.repeat(64));
  const file = (name: string) => async () => new Uint8Array(readFileSync(dir + name));
  for (const name of [
    'cca-example-token-907-realm2.cbor',
    'cca-example-token-907-realm1.cbor',
    'cca-example-token-399-draft00.cbor',
    'ccatoken-good-907-es256.cbor',
  ])
    // Valid tokens, but their fixed realm challenge is not this session's binding.
    await expectCode(attempt(world, 'cca', file(name)), 'ERR_ATTESTATION_NONCE_MISMATCH');
  // bug-33 is endorsed (same CPAK, same instance id) but its platform challenge is not SHA-256(RAK).
  await expectCode(
    attempt(world, 'cca', file('bad-binding-bug33.cbor')),
    'ERR_EVIDENCE_KEY_BINDING',
  );
  await expectCode(
    attempt(world, 'cca', file('bad-unwrapped-collection.cbor')),
    'ERR_EVIDENCE_MALFORMED',
  );
  // Without the endorsement for its instance id, a valid token is refused before anything else.
  await registry.removeEndorsement('cca', TFM_INSTANCE);
  await expectCode(
    attempt(world, 'cca', file('cca-example-token-907-realm2.cbor')),
    'ERR_ENDORSEMENT_UNKNOWN',
  );
});

test('psa through the verifier: a key endorsed for an instance id that is not its hash verifies tokens naming that id', async () => {
  const world = await createSimWorld({ runtimeHashes: { psa: ['5a'.repeat(32)] } });
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const instanceId = '01' + 'c3'.repeat(32);
  const token = (nonce: Uint8Array, id: string): Promise<Uint8Array> =>
    signCoseSign1(
      encodeCbor(
        new Map<number, unknown>([
          [265, 'http://arm.com/psa/2.0.0'],
          [10, nonce],
          [256, fromHex(id)],
          [2395, 0x3000],
          [2396, new Uint8Array(32)],
          [
            2399,
            [
              new Map<number, unknown>([
                [1, 'NSPE'],
                [2, fromHex('5a'.repeat(32))],
              ]),
            ],
          ],
        ]),
      ),
      pair.privateKey,
      'ES256',
    );
  await world.verifier.registry.addReference('psa', '5a'.repeat(32));
  // Endorsed by its default id (the hash of the key) only: the token's instance is unknown.
  const byHash = await world.verifier.registry.addKey('psa', await spkiPem(pair.publicKey));
  assert.notEqual(byHash.id, instanceId);
  await expectCode(
    attempt(world, 'psa', (b) => token(psaBindingNonce(b), instanceId)),
    'ERR_ENDORSEMENT_UNKNOWN',
  );
  const record = await world.verifier.registry.addKey(
    'psa',
    await spkiPem(pair.publicKey),
    'board 7',
    instanceId.toUpperCase(),
  );
  assert.equal(record.id, instanceId);
  const issued = await attempt(world, 'psa', (b) => token(psaBindingNonce(b), instanceId));
  assert.equal(enclaveInfoOf(issued.certificate).measurement, '5a'.repeat(32));
  // Another key's token naming the same instance id: the endorsed key does not verify it.
  const other = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
  ])) as webcrypto.CryptoKeyPair;
  await expectCode(
    attempt(world, 'psa', async (b) =>
      signCoseSign1(
        encodeCbor(
          new Map<number, unknown>([
            [265, 'http://arm.com/psa/2.0.0'],
            [10, psaBindingNonce(b)],
            [256, fromHex(instanceId)],
          ]),
        ),
        other.privateKey,
        'ES256',
      ),
    ),
    'ERR_EVIDENCE_SIGNATURE',
  );
  // The sim platform keeps its rule: its key's instance id is always the key's hash.
  await expectCode(
    world.verifier.registry.addKey('sim', await spkiPem(pair.publicKey), undefined, instanceId),
    'ERR_ATTESTATION_PLATFORM',
  );
});
