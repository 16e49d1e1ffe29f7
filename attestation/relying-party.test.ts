import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { equalBytes, fromHex, pemBlocks } from './bytes.js';
import { derBoolean, derContext, derOctets, derOid, derSequence, readTlv } from './ca/der.js';
import { signDer } from './ca/signed-der.js';
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

const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
/** KeyUsage BIT STRINGs: bit 0 digitalSignature (0x80), bit 2 keyEncipherment (0x20), bit 5 keyCertSign (0x04). */
const DIGITAL_SIGNATURE = Uint8Array.of(0x03, 0x02, 0x07, 0x80);
const DIGITAL_SIGNATURE_AND_KEY_CERT_SIGN = Uint8Array.of(0x03, 0x02, 0x02, 0x84);
const KEY_ENCIPHERMENT_ONLY = Uint8Array.of(0x03, 0x02, 0x05, 0x20);

/**
 * The issued enclave certificate (leaf PEM) rebuilt field by field, with the extension values in
 * `replace` substituted (null drops the extension), and signed again by the world's CA key. Everything
 * else (issuer, validity, subject key, attestation extension) is the issued certificate's, byte for byte.
 */
function reissue(
  world: SimWorld,
  leafPem: string,
  replace: ReadonlyMap<string, Uint8Array | null> = new Map(),
): Uint8Array {
  const der = pemBlocks(leafPem, 'CERTIFICATE')[0];
  assert.ok(der);
  const tbs = readTlv(readTlv(der, 0).value, 0).value;
  const fields: Uint8Array[] = [];
  const seen = new Set<string>();
  for (let offset = 0; offset < tbs.length;) {
    const field = readTlv(tbs, offset);
    if (field.tag !== 0xa3) {
      fields.push(tbs.subarray(offset, field.next));
    } else {
      const list = readTlv(field.value, 0).value;
      const extensions: Uint8Array[] = [];
      for (let at = 0; at < list.length;) {
        const ext = readTlv(list, at);
        const id = readTlv(ext.value, 0);
        const oid = [...replace.keys()].find((o) =>
          equalBytes(ext.value.subarray(0, id.next), derOid(o)),
        );
        if (oid === undefined) extensions.push(list.subarray(at, ext.next));
        else {
          seen.add(oid);
          const value = replace.get(oid);
          // Both profile extensions are issued critical; keep them so.
          if (value) extensions.push(derSequence(derOid(oid), derBoolean(true), derOctets(value)));
        }
        at = ext.next;
      }
      fields.push(derContext(3, derSequence(...extensions)));
    }
    offset = field.next;
  }
  assert.deepEqual(
    [...seen].sort(),
    [...replace.keys()].sort(),
    'every replaced extension was present',
  );
  return signDer(derSequence(...fields), world.ca.privateKey);
}

test('relying party refuses an enclave certificate with cA=true or a key usage other than digitalSignature alone (ERR_ENCLAVE_CERT_INVALID), and accepts the same rebuild with the issued profile', async () => {
  const world = await createSimWorld();
  const chain = await issue(world);
  const leaf = chain[0] ?? '';
  const now = world.clock.now;
  const check = (der: Uint8Array) =>
    checkEnclaveCertificate({ chain: [der], policy: world.policy, now, platform: 'sim' });
  const refused = async (der: Uint8Array, message: RegExp): Promise<void> => {
    await assert.rejects(check(der), (e: { code?: string; message?: string }) => {
      assert.equal(e.code, 'ERR_ENCLAVE_CERT_INVALID');
      assert.match(e.message ?? '', message);
      return true;
    });
  };

  // Positive control: the same rebuild and CA signature, with the issued profile (and with it
  // written out explicitly), is accepted: chain, validity, measurement and policy hash all pass.
  const control = await check(reissue(world, leaf));
  assert.equal(control.measurement, world.measurement);
  const explicit = await check(
    reissue(
      world,
      leaf,
      new Map([
        [BASIC_CONSTRAINTS, derSequence()],
        [KEY_USAGE, DIGITAL_SIGNATURE],
      ]),
    ),
  );
  assert.equal(explicit.measurement, world.measurement);

  // (a) cA=true; and basicConstraints missing altogether (cA is then not asserted false).
  await refused(
    reissue(world, leaf, new Map([[BASIC_CONSTRAINTS, derSequence(derBoolean(true))]])),
    /cA=false/,
  );
  await refused(reissue(world, leaf, new Map([[BASIC_CONSTRAINTS, null]])), /cA=false/);
  // (b) keyUsage with keyCertSign besides digitalSignature; without digitalSignature; missing.
  await refused(
    reissue(world, leaf, new Map([[KEY_USAGE, DIGITAL_SIGNATURE_AND_KEY_CERT_SIGN]])),
    /digitalSignature only/,
  );
  await refused(
    reissue(world, leaf, new Map([[KEY_USAGE, KEY_ENCIPHERMENT_ONLY]])),
    /digitalSignature only/,
  );
  await refused(reissue(world, leaf, new Map([[KEY_USAGE, null]])), /digitalSignature only/);
});
