// The verifier service refuses evidence whose CSR is for a key other than the one that signed the
// `attest.evidence` envelope (ERR_ATTESTATION_CSR_MISMATCH), before appraisal: evidence that
// honestly binds someone else's CSR cannot get that CSR certified for the sender. The same flow with
// the sender's own CSR is issued a certificate, so the refusal comes from the mismatch alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, webcrypto } from 'node:crypto';
import { createVerifierCa, Verifier } from '../../attestation/index.js';
import {
  createSimAttester,
  generateEnclaveKeys,
  generateSimAttestationKey,
  measureRuntime,
  prepareAttestation,
  type EnclaveKeys,
} from '../../enclave/index.js';
import { computationIdFor, policyHash as hashPolicy, subjectsFor } from '../../protocol/index.js';
import { MemoryStore } from '../../transport/index.js';
import { Endpoint } from '../runtime/endpoint.js';
import { VERIFIER_SENDER_ID } from '../runtime/policy-keys.js';
import { keySenderId } from '../runtime/sender-ids.js';
import { memoryBus } from '../system/system-bus.js';
import { startVerifierService } from './verifier-actor.js';

/** The default namespace's subjects. */
const S = subjectsFor();

/** The only policy field the verifier reads; the hash binds the rest (here nothing more). */
const POLICY = new TextEncoder().encode(
  JSON.stringify({
    enclave_cert_expiry: { year: 2099, month: 1, day: 1, hour: 0, minute: 0 },
  }),
);

async function world() {
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const now = Date.now();
  const ca = await createVerifierCa({
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 365 * 86400_000),
    random,
  });
  const store = new MemoryStore();
  const verifier = new Verifier({
    store,
    ca,
    clock: () => new Date(),
    random,
    config: { allowSimulation: true },
  });
  const simKey = await generateSimAttestationKey();
  await verifier.registry.addKey('sim', simKey.publicKeyPem, 'test platform key');
  const { measurement } = await measureRuntime();
  await verifier.registry.addReference('sim', measurement, 'measurement', 'this installation');
  // Counts appraisals: the refusal must come before the core looks at the evidence.
  const appraised: string[] = [];
  const appraise = verifier.appraise.bind(verifier);
  verifier.appraise = (submission) => {
    appraised.push(submission.attestation);
    return appraise(submission);
  };
  const bus = memoryBus();
  const service = startVerifierService({ bus: bus.main, verifier, ca, trace: false });
  const caKey = await webcrypto.subtle.importKey(
    'spki',
    new Uint8Array(ca.certificate.publicKey.rawData),
    { name: 'ECDSA', namedCurve: 'P-256' },
    true,
    ['verify'],
  );
  return {
    bus,
    service,
    store,
    appraised,
    measurement,
    attester: await createSimAttester(simKey),
    keys: (from: string) => Promise.resolve(from === VERIFIER_SENDER_ID ? caKey : undefined),
  };
}

/**
 * An enclave signing with `signer` attests: start, challenge, then evidence that honestly binds a
 * CSR for `csrFor`. Returns the verifier's reply to the evidence.
 */
async function attest(
  w: Awaited<ReturnType<typeof world>>,
  signer: EnclaveKeys,
  csrFor: EnclaveKeys,
) {
  const endpoint = new Endpoint(w.bus.main, {
    id: await keySenderId(signer.signing.publicKey),
    key: signer.signing.privateKey,
  });
  const hash = hashPolicy(POLICY);
  const computation = computationIdFor(hash);
  const options = { keys: w.keys, attempts: 1, timeoutMs: 10_000 };
  const challenge = await endpoint.request(
    S.verifier,
    computation,
    'attest.start',
    { computation, platform: 'sim', policyHash: hash, policy: POLICY },
    options,
  );
  assert.equal(challenge.kind, 'attest.challenge', JSON.stringify(challenge.body));
  const { attestation, nonce } = challenge.body as { attestation: string; nonce: Uint8Array };
  const prepared = await prepareAttestation({
    attester: w.attester,
    nonce,
    policyHash: Buffer.from(hash, 'hex'),
    measurement: w.measurement,
    keys: csrFor,
  });
  return endpoint.request(
    S.verifier,
    computation,
    'attest.evidence',
    { attestation, platform: 'sim', evidence: prepared.evidence, csr: prepared.csr },
    options,
  );
}

test('verifier actor: evidence binding a CSR for another key than the signer is refused ERR_ATTESTATION_CSR_MISMATCH before appraisal, nothing issued; a CSR for the signing key is certified', async () => {
  const w = await world();
  try {
    const a = await generateEnclaveKeys();
    const b = await generateEnclaveKeys();

    const refused = await attest(w, a, b);
    assert.equal(refused.kind, 'protocol.error');
    assert.equal((refused.body as { code: string }).code, 'ERR_ATTESTATION_CSR_MISMATCH');
    // Refused before appraisal, and nothing issued.
    assert.deepEqual(w.appraised, []);
    assert.deepEqual(await w.store.entries('issued.'), []);

    // Positive control: the same flow with the sender's own CSR is issued a certificate.
    const issued = await attest(w, a, a);
    assert.equal(issued.kind, 'attest.certificate', JSON.stringify(issued.body));
    assert.ok((issued.body as { chain: readonly string[] }).chain.length >= 2);
    assert.equal(w.appraised.length, 1);
    assert.equal((await w.store.entries('issued.')).length, 1);
  } finally {
    w.service.stop();
    await w.bus.close();
  }
});
