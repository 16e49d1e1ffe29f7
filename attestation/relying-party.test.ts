import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fromHex } from './bytes.js';
import { createVerifierCa } from './ca/ca-identity.js';
import { checkEnclaveCertificate, type RelyingPartyPolicy } from './relying-party.js';
import { createSimWorld, type SimWorld } from './testing/fixtures.js';
import { prepareAttestation } from '../enclave/index.js';
import type { ErrorCode } from '../protocol/index.js';

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

async function issue(world: SimWorld): Promise<readonly string[]> {
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
  const issued = await world.verifier.appraise({
    attestation: challenge.attestation,
    platform: 'sim',
    evidence: prepared.evidence,
    csr: prepared.csr,
  });
  return issued.chain;
}

const withPolicy = (
  policy: RelyingPartyPolicy,
  changes: Partial<RelyingPartyPolicy['policy']>,
  hash?: string,
): RelyingPartyPolicy => ({
  hash: hash ?? policy.hash,
  policy: { ...policy.policy, ...changes },
});

test('relying party accepts a good chain (leaf alone or leaf + CA)', async () => {
  const world = await createSimWorld();
  const chain = await issue(world);
  const full = await checkEnclaveCertificate({ chain, policy: world.policy, now: world.clock.now });
  assert.equal(full.measurement, world.measurement);
  await checkEnclaveCertificate({
    chain: chain.slice(0, 1),
    policy: world.policy,
    now: world.clock.now,
    platform: 'sim',
  });
});

test('relying party refusals each carry their own code', async () => {
  const world = await createSimWorld();
  const chain = await issue(world);
  const now = world.clock.now;
  // Chain to another CA (the policy names a different proxy_service_cert).
  const other = await createVerifierCa({
    notBefore: new Date(now.getTime() - 1000),
    notAfter: new Date(now.getTime() + 86400_000),
    random: (n) => new Uint8Array(randomBytes(n)),
  });
  await expectCode(
    checkEnclaveCertificate({
      chain,
      policy: withPolicy(world.policy, { proxyServiceCert: other.certificatePem }),
      now,
    }),
    'ERR_ATTESTATION_CHAIN',
  );
  // A second chain entry that is not proxy_service_cert.
  await expectCode(
    checkEnclaveCertificate({
      chain: [chain[0] ?? '', other.certificatePem],
      policy: world.policy,
      now,
    }),
    'ERR_ATTESTATION_CHAIN',
  );
  // Garbage.
  await expectCode(
    checkEnclaveCertificate({ chain: ['not a certificate'], policy: world.policy, now }),
    'ERR_ATTESTATION_CHAIN',
  );
  await expectCode(
    checkEnclaveCertificate({ chain: [], policy: world.policy, now }),
    'ERR_ATTESTATION_CHAIN',
  );
  // Expired (and not yet valid).
  const later = new Date(now.getTime() + world.verifier.config.certLifetimeMs + 1000);
  await expectCode(
    checkEnclaveCertificate({ chain, policy: world.policy, now: later }),
    'ERR_ENCLAVE_CERT_EXPIRED',
  );
  await expectCode(
    checkEnclaveCertificate({ chain, policy: world.policy, now: new Date(now.getTime() - 5000) }),
    'ERR_ENCLAVE_CERT_EXPIRED',
  );
  // A certificate that outlives the (stricter) local policy's expiry.
  await expectCode(
    checkEnclaveCertificate({
      chain,
      policy: withPolicy(world.policy, { enclaveCertExpiry: new Date(now.getTime() + 3600_000) }),
      now,
    }),
    'ERR_ENCLAVE_CERT_OUTLIVES_POLICY',
  );
  // Measurement not among the policy's runtime hashes for sim.
  await expectCode(
    checkEnclaveCertificate({
      chain,
      policy: withPolicy(world.policy, {
        extensions: { runtimeHashes: { sim: ['00'.repeat(32)], nitro: [world.measurement] } },
      }),
      now,
    }),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  // Another policy.
  await expectCode(
    checkEnclaveCertificate({ chain, policy: withPolicy(world.policy, {}, 'ff'.repeat(32)), now }),
    'ERR_POLICY_HASH_MISMATCH',
  );
  // Wrong platform expected.
  await expectCode(
    checkEnclaveCertificate({ chain, policy: world.policy, now, platform: 'nitro' }),
    'ERR_ATTESTATION_PLATFORM',
  );
});

test("relying party accepts a measurement pinned only by Veracruz's linux field (sim)", async () => {
  const world = await createSimWorld();
  const chain = await issue(world);
  const policy = withPolicy(world.policy, {
    extensions: {},
    runtimeManagerHashes: { linux: world.measurement, nitro: null, sevsnp: null },
  });
  const enclave = await checkEnclaveCertificate({ chain, policy, now: world.clock.now });
  assert.equal(enclave.measurement, world.measurement);
});
