// The SEV-SNP path through the verifier. With a synthetic AMD PKI (our own ARK, ASK and VCEK) a
// report whose report_data binds the challenge, the CSR and the policy is certified; the real reports
// (fixed report_data) are each driven through the verifier at a time their VCEK/VLEK is valid and
// refused by the binding check, or by the expiry of their VLEK at today's date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildEnclaveCsr, generateEnclaveKeys } from '../../enclave/index.js';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { snpReportData } from '../binding.js';
import { concatBytes, fromHex, pemBlocks, sha256, toHex } from '../bytes.js';
import { enclaveInfoOf } from '../ca/enclave-extension.js';
import { AMD_ARK_PEMS } from '../platforms/sevsnp-roots.js';
import { createSimWorld, type SimWorld } from '../testing/fixtures.js';
import {
  createSnpPki,
  signSnpReport,
  withCertificates,
  type SnpPki,
} from '../testing/sevsnp-pki.js';
import { checkEnclaveCertificate } from '../relying-party.js';
import { parsePolicy, serializePolicyJson, type ErrorCode } from '../../protocol/index.js';

const MEASUREMENT = new Uint8Array(48).fill(7);

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: { code?: string; message?: string }) => {
    assert.equal(e.code, code, e.message);
    return true;
  });
}

async function setup(start?: Date): Promise<{ world: SimWorld; pki: SnpPki }> {
  const world = await createSimWorld(start ? { start } : {});
  const pki = await createSnpPki(world.clock.now);
  await world.verifier.registry.addRoot('sevsnp', pki.ark.toString('pem'));
  await world.verifier.registry.addReference('sevsnp', toHex(MEASUREMENT));
  return { world, pki };
}

/** One challenge and evidence made by `make` from the report_data that binds this session. */
async function attempt(
  world: SimWorld,
  make: (reportData: Uint8Array) => Promise<Uint8Array>,
  policyHash = world.policyHash,
) {
  const challenge = await world.verifier.challenge({
    computation: 'snp',
    platform: 'sevsnp',
    policyHash,
    enclaveCertExpiry: world.policyExpiry,
  });
  const csr = await buildEnclaveCsr(await generateEnclaveKeys());
  const reportData = snpReportData({
    nonce: challenge.nonce,
    csrHash: sha256(csr),
    policyHash: fromHex(policyHash),
  });
  return world.verifier.appraise({
    attestation: challenge.attestation,
    platform: 'sevsnp',
    evidence: await make(reportData),
    csr,
  });
}

test('sevsnp through the verifier: report_data binding the session gives a certificate participants accept', async () => {
  const { world, pki } = await setup();
  // The world's policy with MEASUREMENT accepted on sevsnp (same verifier CA).
  const json = structuredClone(world.fixture.json) as Record<string, Record<string, unknown>>;
  json['veracruz_ts'] = {
    ...json['veracruz_ts'],
    runtime_hashes: { sevsnp: [toHex(MEASUREMENT)] },
  };
  const policy = parsePolicy(new TextEncoder().encode(serializePolicyJson(json as never)), {
    now: world.clock.now,
  });
  const issued = await attempt(
    world,
    async (reportData) =>
      withCertificates(await signSnpReport(pki, { reportData, measurement: MEASUREMENT }), pki),
    policy.hash,
  );
  const info = enclaveInfoOf(issued.certificate);
  assert.equal(info.platform, 'sevsnp');
  assert.equal(info.measurement, toHex(MEASUREMENT));
  assert.equal(info.insecure, false);
  assert.equal(issued.appraisal.debug, false);
  // The relying-party check of phase 6 accepts it under that policy, and only that one.
  const enclave = await checkEnclaveCertificate({
    chain: issued.chain,
    policy,
    now: world.clock.now,
    platform: 'sevsnp',
  });
  assert.equal(enclave.measurement, toHex(MEASUREMENT));
  await expectCode(
    checkEnclaveCertificate({ chain: issued.chain, policy: world.policy, now: world.clock.now }),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
});

test('sevsnp through the verifier: refusals', async () => {
  const { world, pki } = await setup();
  const report = async (fields: Parameters<typeof signSnpReport>[1]): Promise<Uint8Array> =>
    withCertificates(await signSnpReport(pki, { measurement: MEASUREMENT, ...fields }), pki);
  // report_data of another session, CSR or policy: one SHA-512 over the three, so one refusal.
  await expectCode(
    attempt(world, () => report({ reportData: new Uint8Array(64) })),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  await expectCode(
    attempt(world, (reportData) => report({ reportData: Uint8Array.from(reportData).fill(0, 32) })),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  // MEASUREMENT not among the reference values; a debug guest.
  await expectCode(
    attempt(world, (reportData) => report({ reportData, measurement: new Uint8Array(48) })),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await expectCode(
    attempt(world, (reportData) => report({ reportData, policy: 0x30000n | (1n << 19n) })),
    'ERR_ATTESTATION_DEBUG',
  );
  // The report alone: the VCEK and ASK must come with it.
  await expectCode(
    attempt(world, (reportData) => signSnpReport(pki, { reportData, measurement: MEASUREMENT })),
    'ERR_EVIDENCE_CHAIN',
  );
  // A flipped byte in the signed part (measurement).
  await expectCode(
    attempt(world, async (reportData) => {
      const evidence = await report({ reportData });
      evidence[0x90] = (evidence[0x90] ?? 0) ^ 1;
      return evidence;
    }),
    'ERR_EVIDENCE_SIGNATURE',
  );
  // A VCEK past its validity at the verifier's clock.
  const shortLived = await createSnpPki(world.clock.now, {
    notAfter: new Date(world.clock.now.getTime() + 86400_000),
  });
  await world.verifier.registry.addRoot('sevsnp', shortLived.ark.toString('pem'));
  const start = world.clock.now;
  world.clock.now = new Date(start.getTime() + 2 * 86400_000);
  await expectCode(
    attempt(world, async (reportData) =>
      withCertificates(
        await signSnpReport(shortLived, { reportData, measurement: MEASUREMENT }),
        shortLived,
      ),
    ),
    'ERR_EVIDENCE_CERT_EXPIRED',
  );
  world.clock.now = start;
  // An ARK nobody endorsed at this verifier.
  const { world: other } = await setup();
  await expectCode(
    attempt(other, (reportData) => report({ reportData })),
    'ERR_EVIDENCE_CHAIN',
  );
  // sevsnp is endorsed by roots, not keys.
  await expectCode(
    world.verifier.registry.addKey('sevsnp', world.simKey.publicKeyPem),
    'ERR_ATTESTATION_PLATFORM',
  );
});

const dir = `${sharedTestdata}sevsnp/`;
const REAL = [
  ['milan-v2-report.bin', 'milan-vcek.der', 'ask_ark_milan.pem', '2024-01-01T00:00:00Z'],
  ['genoa-v5-report.bin', 'genoa-vcek.der', 'ask_ark_genoa.pem', '2026-01-01T00:00:00Z'],
  ['turin-v5-report.bin', 'turin-vcek.der', 'ask_ark_turin_vcek.pem', '2026-01-01T00:00:00Z'],
  ['milan-v3-vlek-report.bin', 'milan-vlek.der', 'ask_ark_milan_vlek.pem', '2025-06-01T00:00:00Z'],
] as const;

/** The real report followed by its VCEK/VLEK and ASK: what an extended report request returns. */
function realEvidence(report: string, signer: string, chain: string): Uint8Array {
  const [ask] = pemBlocks(readFileSync(dir + chain, 'utf8'), 'CERTIFICATE');
  return concatBytes(
    new Uint8Array(readFileSync(dir + report)),
    new Uint8Array(readFileSync(dir + signer)),
    ask ?? new Uint8Array(),
  );
}

async function realWorld(start: Date): Promise<SimWorld> {
  const world = await createSimWorld({ start });
  for (const pem of AMD_ARK_PEMS) await world.verifier.registry.addRoot('sevsnp', pem);
  return world;
}

test('sevsnp through the verifier: each real report passes appraisal and is refused by the binding', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  for (const [report, signer, chain, at] of REAL) {
    const world = await realWorld(new Date(at));
    const evidence = realEvidence(report, signer, chain);
    // Signature, chain to the pinned ARK, TCB and chip id hold; report_data binds no session of ours.
    await expectCode(
      attempt(world, () => Promise.resolve(evidence)),
      'ERR_ATTESTATION_NONCE_MISMATCH',
    );
    // One flipped byte in the signed part is refused by the signature check first.
    const tampered = Uint8Array.from(evidence);
    tampered[0x90] = (tampered[0x90] ?? 0) ^ 1;
    await expectCode(
      attempt(world, () => Promise.resolve(tampered)),
      'ERR_EVIDENCE_SIGNATURE',
    );
  }
  // The VLEK report at today's date: its VLEK expired on 2025-12-10.
  const [report, signer, chain] = REAL[3];
  const today = await realWorld(new Date('2026-11-27T00:00:00Z'));
  await expectCode(
    attempt(today, () => Promise.resolve(realEvidence(report, signer, chain))),
    'ERR_EVIDENCE_CERT_EXPIRED',
  );
});
