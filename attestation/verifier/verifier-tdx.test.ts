// TDX and SGX through the verifier. The real quotes (../shared/testdata/tdx) carry fixed report data,
// so the verifier refuses them at the binding check once every platform check has passed; a
// synthetic DCAP PKI (attestation/testing/dcap.ts: our own root, PCK chain, CRLs, TCB info and QE
// identity, quotes in the real formats) drives full attestations and plants each refusal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildEnclaveCsr, generateEnclaveKeys } from '../../enclave/index.js';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { dcapReportData } from '../binding.js';
import { fromHex, sha256, toHex } from '../bytes.js';
import { enclaveInfoOf } from '../ca/enclave-extension.js';
import { checkEnclaveCertificate } from '../relying-party.js';
import { INTEL_SGX_ROOT_PEM } from '../platforms/intel-sgx-root.js';
import { encodeDcapEvidence } from '../platforms/tdx.js';
import {
  createDcapEvidence,
  createDcapPki,
  type DcapPki,
  type DcapQuoteSpec,
} from '../testing/dcap.js';
import { createSimWorld, type SimWorld } from '../testing/fixtures.js';
import type { ErrorCode } from '../../protocol/index.js';

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: { code?: string; message?: string }) => {
    assert.equal(e.code, code, e.message);
    return true;
  });
}

async function attempt(
  world: SimWorld,
  platform: 'tdx' | 'sgx',
  make: (reportData: Uint8Array) => Promise<Uint8Array>,
) {
  const challenge = await world.verifier.challenge({
    computation: 'd',
    platform,
    policyHash: world.policyHash,
    enclaveCertExpiry: world.policyExpiry,
  });
  const csr = await buildEnclaveCsr(await generateEnclaveKeys());
  const reportData = dcapReportData({
    nonce: challenge.nonce,
    csrHash: sha256(csr),
    policyHash: fromHex(world.policyHash),
  });
  const evidence = await make(reportData);
  return world.verifier.appraise({ attestation: challenge.attestation, platform, evidence, csr });
}

async function setup(): Promise<{ world: SimWorld; pki: DcapPki }> {
  const world = await createSimWorld({
    runtimeHashes: { tdx: ['07'.repeat(48)], sgx: ['07'.repeat(32)] },
  });
  const pki = await createDcapPki(world.clock.now);
  for (const platform of ['tdx', 'sgx'] as const)
    await world.verifier.registry.addRoot(platform, pki.root.toString('pem'));
  await world.verifier.registry.addReference('tdx', '07'.repeat(48));
  await world.verifier.registry.addReference('sgx', '07'.repeat(32));
  return { world, pki };
}

const synthetic =
  (pki: DcapPki, spec: Omit<DcapQuoteSpec, 'reportData'>) => async (reportData: Uint8Array) =>
    (await createDcapEvidence(pki, { ...spec, reportData })).evidence;

test('tdx and sgx through the verifier: a bound quote gives a certificate with MRTD or MRENCLAVE', async () => {
  const { world, pki } = await setup();
  await world.verifier.registry.addReference('tdx', '33'.repeat(48), 'rtmr2');
  const tdx = await attempt(world, 'tdx', synthetic(pki, { platform: 'tdx' }));
  const tdxInfo = enclaveInfoOf(tdx.certificate);
  assert.equal(tdxInfo.platform, 'tdx');
  assert.equal(tdxInfo.measurement, '07'.repeat(48));
  assert.equal(tdxInfo.insecure, false);
  assert.equal(tdx.appraisal.claims['tcbStatus'], 'UpToDate');
  const sgx = await attempt(world, 'sgx', synthetic(pki, { platform: 'sgx' }));
  assert.equal(enclaveInfoOf(sgx.certificate).measurement, '07'.repeat(32));
  // The participant's check (phase 6) accepts both: chain to the policy's CA, MRTD and MRENCLAVE
  // among the policy's runtime hashes for their platform, the policy hash.
  for (const [issued, platform] of [
    [tdx, 'tdx'],
    [sgx, 'sgx'],
  ] as const) {
    const enclave = await checkEnclaveCertificate({
      chain: issued.chain,
      policy: world.policy,
      now: world.clock.now,
      platform,
    });
    assert.equal(enclave.platform, platform);
  }
  // An accepted "needed" status is issued and reported.
  const hardening = await attempt(
    world,
    'sgx',
    synthetic(pki, { platform: 'sgx', tcbStatus: 'SWHardeningNeeded' }),
  );
  assert.equal(hardening.appraisal.claims['tcbStatus'], 'SWHardeningNeeded');
  assert.deepEqual(hardening.appraisal.claims['advisoryIds'], ['INTEL-SA-00000']);
});

test('tdx and sgx through the verifier: refusals', async () => {
  const { world, pki } = await setup();
  // report_data binding another CSR, nonce or policy.
  await expectCode(
    attempt(world, 'tdx', (rd) =>
      synthetic(pki, { platform: 'tdx' })(Uint8Array.from(rd).fill(0, 0, 1)),
    ),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  await expectCode(
    attempt(world, 'sgx', (rd) =>
      synthetic(pki, { platform: 'sgx' })(Uint8Array.from(rd).fill(1, 32)),
    ),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  // Debug TD and enclave.
  await expectCode(
    attempt(world, 'tdx', synthetic(pki, { platform: 'tdx', debug: true })),
    'ERR_ATTESTATION_DEBUG',
  );
  await expectCode(
    attempt(world, 'sgx', synthetic(pki, { platform: 'sgx', debug: true })),
    'ERR_ATTESTATION_DEBUG',
  );
  // MRTD not among the reference values; an RTMR reference value not met.
  await expectCode(
    attempt(world, 'tdx', synthetic(pki, { platform: 'tdx', measurementByte: 8 })),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await world.verifier.registry.addReference('tdx', '44'.repeat(48), 'rtmr0');
  await expectCode(
    attempt(world, 'tdx', synthetic(pki, { platform: 'tdx' })),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await world.verifier.registry.removeReference('tdx', '44'.repeat(48), 'rtmr0');
  await world.verifier.registry.addReference('sgx', '82'.repeat(32), 'mrsigner');
  await expectCode(
    attempt(world, 'sgx', synthetic(pki, { platform: 'sgx' })),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await world.verifier.registry.removeReference('sgx', '82'.repeat(32), 'mrsigner');
  // OutOfDate is not accepted by default; Revoked never.
  await expectCode(
    attempt(world, 'tdx', synthetic(pki, { platform: 'tdx', tcbStatus: 'OutOfDate' })),
    'ERR_EVIDENCE_TCB',
  );
  await expectCode(
    attempt(world, 'sgx', synthetic(pki, { platform: 'sgx', tcbStatus: 'Revoked' })),
    'ERR_EVIDENCE_TCB',
  );
  // A revoked PCK certificate; a Quoting Enclave that is not Intel's.
  await expectCode(
    attempt(world, 'tdx', synthetic(pki, { platform: 'tdx', revokePck: true })),
    'ERR_EVIDENCE_REVOKED',
  );
  await expectCode(
    attempt(world, 'sgx', synthetic(pki, { platform: 'sgx', qeMrSigner: 'cd'.repeat(32) })),
    'ERR_EVIDENCE_QE_IDENTITY',
  );
  // TCB info and QE identity signed by a PCK key (chained to the root, but not by the root itself).
  await expectCode(
    attempt(world, 'tdx', synthetic(pki, { platform: 'tdx', collateralSigner: 'pck' })),
    'ERR_EVIDENCE_CHAIN',
  );
  // An SGX quote offered as TDX evidence.
  await expectCode(
    attempt(world, 'tdx', synthetic(pki, { platform: 'sgx' })),
    'ERR_ATTESTATION_PLATFORM',
  );
  // The verifier appraises at its clock: a month later the collateral has expired.
  world.clock.now = new Date(world.clock.now.getTime() + 31 * 86400_000);
  const stale = await createDcapEvidence(pki, { platform: 'tdx', reportData: new Uint8Array(64) });
  await expectCode(
    attempt(world, 'tdx', () => Promise.resolve(stale.evidence)),
    'ERR_EVIDENCE_COLLATERAL_EXPIRED',
  );
  // A root nobody endorsed.
  const { world: other } = await setup();
  await expectCode(
    attempt(other, 'tdx', synthetic(pki, { platform: 'tdx' })),
    'ERR_EVIDENCE_CHAIN',
  );
});

const dir = `${sharedTestdata}tdx/`;
const realEvidence = (name: string): Uint8Array =>
  encodeDcapEvidence(
    new Uint8Array(readFileSync(dir + name)),
    readFileSync(`${dir}${name}_collateral.json`, 'utf8'),
  );

test('the real TDX and SGX quotes through the verifier: every platform check passes, then the binding refuses', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const july = await createSimWorld({ start: new Date('2025-07-01T00:00:00Z') });
  for (const platform of ['tdx', 'sgx'] as const) {
    await july.verifier.registry.addRoot(platform, INTEL_SGX_ROOT_PEM);
  }
  // The sgx quote's status (ConfigurationAndSWHardeningNeeded) is among the verifier's defaults.
  await expectCode(
    attempt(july, 'sgx', () => Promise.resolve(realEvidence('sgx_quote'))),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  await expectCode(
    attempt(july, 'tdx', () => Promise.resolve(realEvidence('tdx_quote'))),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  const march = await createSimWorld({ start: new Date('2026-03-01T00:00:00Z') });
  await march.verifier.registry.addRoot('tdx', INTEL_SGX_ROOT_PEM);
  await expectCode(
    attempt(march, 'tdx', () => Promise.resolve(realEvidence('tdx_quote_outdated'))),
    'ERR_EVIDENCE_TCB',
  );
  // Without an endorsed root the verifier has nothing to chain to.
  const bare = await createSimWorld({ start: new Date('2025-07-01T00:00:00Z') });
  await expectCode(
    attempt(bare, 'tdx', () => Promise.resolve(realEvidence('tdx_quote'))),
    'ERR_ENDORSEMENT_UNKNOWN',
  );
  assert.equal(
    toHex(sha256(new Uint8Array(readFileSync(`${dir}TrustedRootCA.der`)))),
    '44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3',
  );
});
