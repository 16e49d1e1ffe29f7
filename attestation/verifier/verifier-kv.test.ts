// The verifier with its whole state in NATS JetStream KV (transport's revisioned store): an
// attestation goes through, and a replayed submission is refused through the KV's compare-and-set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { KvStore, natsServerBinary, startNatsServer } from '../../transport/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { prepareAttestation } from '../../enclave/index.js';
import { createSimWorld } from '../testing/fixtures.js';
import { fromHex } from '../bytes.js';

test('a verifier backed by JetStream KV attests once and refuses a replay', async (t) => {
  if (!requireResource(t, 'nats-server', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  try {
    // A whole attestation with its state in KV, and a replay refused through the KV's CAS.
    const world = await createSimWorld({ store: await KvStore.open(nc, 'vc_verifier_world') });
    const challenge = await world.verifier.challenge({
      computation: 'c',
      platform: 'sim',
      policyHash: world.policyHash,
      enclaveCertExpiry: world.policyExpiry,
    });
    const prepared = await prepareAttestation({
      attester: world.attester,
      nonce: challenge.nonce,
      policyHash: fromHex(world.policyHash),
      measurement: world.measurement,
    });
    const submission = {
      attestation: challenge.attestation,
      platform: 'sim',
      evidence: prepared.evidence,
      csr: prepared.csr,
    };
    const issued = await world.verifier.appraise(submission);
    assert.equal(issued.chain.length, 2);
    await assert.rejects(world.verifier.appraise(submission), {
      code: 'ERR_ATTESTATION_NONCE_REUSED',
    });
    assert.equal((await world.store.entries('issued.')).length, 1);
  } finally {
    await nc.close();
    await server.stop();
  }
});
