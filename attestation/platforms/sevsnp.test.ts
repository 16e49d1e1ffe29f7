import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { concatBytes, pemBlocks, toHex } from '../bytes.js';
import { x509, type ErrorCode } from '../../protocol/index.js';
import {
  createSnpPki,
  signSnpReport,
  tcbBytes,
  TEST_CHIP_ID,
  TEST_TCB,
  withCertificates,
  type SnpPki,
} from '../testing/sevsnp-pki.js';
import { AMD_ARK_PEMS } from './sevsnp-roots.js';
import { appraiseSevSnp } from './sevsnp.js';
import type { AppraisalOptions } from './types.js';

const dir = `${sharedTestdata}sevsnp/`;
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(dir + name));
const chain = (name: string): Uint8Array[] =>
  pemBlocks(readFileSync(dir + name, 'utf8'), 'CERTIFICATE');
const amdRoots = (): Uint8Array[] => AMD_ARK_PEMS.flatMap((pem) => pemBlocks(pem, 'CERTIFICATE'));

interface Sample {
  readonly report: string;
  readonly signer: string;
  readonly chain: string;
  /** Inside the signer's validity (the README's window). */
  readonly at: Date;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly allowDebug: boolean;
}

const SAMPLES: readonly Sample[] = [
  {
    report: 'milan-v2-report.bin',
    signer: 'milan-vcek.der',
    chain: 'ask_ark_milan.pem',
    at: new Date('2024-01-01T00:00:00Z'),
    notBefore: '2022-09-24T00:55:28Z',
    notAfter: '2029-09-24T00:55:28Z',
    allowDebug: true,
  },
  {
    report: 'genoa-v5-report.bin',
    signer: 'genoa-vcek.der',
    chain: 'ask_ark_genoa.pem',
    at: new Date('2026-01-01T00:00:00Z'),
    notBefore: '2025-08-07T17:21:41Z',
    notAfter: '2032-08-07T17:21:41Z',
    allowDebug: false,
  },
  {
    report: 'turin-v5-report.bin',
    signer: 'turin-vcek.der',
    chain: 'ask_ark_turin_vcek.pem',
    at: new Date('2026-01-01T00:00:00Z'),
    notBefore: '2025-07-17T17:04:46Z',
    notAfter: '2032-07-17T17:04:46Z',
    allowDebug: false,
  },
  {
    report: 'milan-v3-vlek-report.bin',
    signer: 'milan-vlek.der',
    chain: 'ask_ark_milan_vlek.pem',
    at: new Date('2025-06-01T00:00:00Z'),
    notBefore: '2024-12-10T22:14:21Z',
    notAfter: '2025-12-10T22:14:21Z',
    allowDebug: false,
  },
];

const optionsFor = (s: Sample, at: Date = s.at): AppraisalOptions => ({
  at,
  roots: amdRoots(),
  certificates: [load(s.signer), ...chain(s.chain)],
  allowDebug: s.allowDebug,
});

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: { code?: string; message?: string }) => {
    assert.equal(e.code, code, e.message);
    return true;
  });
}

function mutate(bytes: Uint8Array, index: number, change: (b: number) => number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = change(copy[index] ?? 0) & 0xff;
  return copy;
}
const flip = (bytes: Uint8Array, index: number): Uint8Array => mutate(bytes, index, (b) => b ^ 1);

test('real SEV-SNP reports verify with their VCEK/VLEK and AMD chain, at the README times', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  for (const s of SAMPLES) {
    const report = load(s.report);
    for (const at of [s.at, new Date(s.notBefore), new Date(s.notAfter)]) {
      const result = await appraiseSevSnp(report, optionsFor(s, at));
      assert.equal(result.platform, 'sevsnp');
      assert.equal(result.insecure, false);
      assert.equal(result.measurement, toHex(report.slice(0x90, 0xc0)));
      assert.deepEqual(result.nonce, report.slice(0x50, 0x90));
    }
    // Outside the signer's validity.
    for (const at of [
      new Date(Date.parse(s.notBefore) - 1000),
      new Date(Date.parse(s.notAfter) + 1000),
    ])
      await expectCode(appraiseSevSnp(report, optionsFor(s, at)), 'ERR_EVIDENCE_CERT_EXPIRED');
  }
});

test('SEV-SNP real reports: claims as the README states them', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const [milan, genoa, turin, vlek] = SAMPLES as [Sample, Sample, Sample, Sample];
  const m = await appraiseSevSnp(load(milan.report), optionsFor(milan));
  assert.equal(m.claims['version'], 2);
  assert.equal(m.claims['policy'], '0xb0000');
  assert.equal(m.debug, true);
  assert.deepEqual(m.claims['reportedTcb'], { bootloader: 2, tee: 0, snp: 5, microcode: 68 });
  assert.equal(m.claims['reportData'], `0102030405${'00'.repeat(59)}`);
  assert.equal(m.claims['signingKey'], 'VCEK');
  assert.equal(m.instanceId, toHex(load(milan.report).slice(0x1a0, 0x1e0)));
  const g = await appraiseSevSnp(load(genoa.report), optionsFor(genoa));
  assert.equal(g.claims['version'], 5);
  assert.equal(g.debug, false);
  assert.deepEqual(g.claims['reportedTcb'], { bootloader: 10, tee: 0, snp: 25, microcode: 84 });
  assert.deepEqual(g.claims['cpuid'], ['0x19', '0x11', '0x1']);
  // Turin's reported_tcb is [fmc, bl, tee, snp, 0, 0, 0, ucode]; its VCEK's hwID is 8 bytes.
  const tu = await appraiseSevSnp(load(turin.report), optionsFor(turin));
  assert.deepEqual(tu.claims['reportedTcb'], {
    fmc: 0,
    bootloader: 1,
    tee: 0,
    snp: 2,
    microcode: 71,
  });
  assert.equal(tu.claims['product'], 'Turin');
  // The VLEK report: version 3, VMPL 1, microcode 217 (a two-byte DER INTEGER in the VLEK).
  const v = await appraiseSevSnp(load(vlek.report), optionsFor(vlek));
  assert.equal(v.claims['version'], 3);
  assert.equal(v.claims['vmpl'], 1);
  assert.equal(v.claims['signingKey'], 'VLEK');
  assert.deepEqual(v.claims['reportedTcb'], { bootloader: 4, tee: 0, snp: 24, microcode: 217 });
  assert.equal(v.instanceId, undefined);
});

test('SEV-SNP: the VLEK report is refused at wall-clock time (the VLEK expired 2025-12-10)', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const vlek = SAMPLES[3] as Sample;
  await expectCode(
    appraiseSevSnp(load(vlek.report), optionsFor(vlek, new Date())),
    'ERR_EVIDENCE_CERT_EXPIRED',
  );
  await expectCode(
    appraiseSevSnp(load(vlek.report), optionsFor(vlek, new Date('2026-11-27T00:00:00Z'))),
    'ERR_EVIDENCE_CERT_EXPIRED',
  );
});

test('SEV-SNP: the debug policy bit is refused unless debug is allowed', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const milan = SAMPLES[0] as Sample;
  await expectCode(
    appraiseSevSnp(load(milan.report), { ...optionsFor(milan), allowDebug: false }),
    'ERR_ATTESTATION_DEBUG',
  );
  await expectCode(
    appraiseSevSnp(load(milan.report), { ...optionsFor(milan), allowDebug: undefined }),
    'ERR_ATTESTATION_DEBUG',
  );
});

test('SEV-SNP: a flipped byte anywhere in the signed part of each report fails the signature', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  // Policy, VMPL, TCB, report_data, measurement, host data, reported_tcb, chip_id, last signed byte,
  // and the upstream recipes: virtee report[21] ^= 0x80, trustee report[42] += 1 and report[384] += 1.
  const offsets = [0x08, 0x15, 0x30, 0x3a, 0x50, 0x90, 0xc0, 0x180, 0x187, 0x1a0, 0x1a9, 0x29f];
  for (const s of SAMPLES) {
    const report = load(s.report);
    for (const offset of offsets)
      await expectCode(
        appraiseSevSnp(flip(report, offset), optionsFor(s)),
        'ERR_EVIDENCE_SIGNATURE',
      );
    await expectCode(
      appraiseSevSnp(
        mutate(report, 21, (b) => b ^ 0x80),
        optionsFor(s),
      ),
      'ERR_EVIDENCE_SIGNATURE',
    );
    for (const offset of [42, 384])
      await expectCode(
        appraiseSevSnp(
          mutate(report, offset, (b) => b + 1),
          optionsFor(s),
        ),
        'ERR_EVIDENCE_SIGNATURE',
      );
    // The signature itself: r, s, and the zero padding above a P-384 value.
    for (const offset of [0x2a0, 0x2a0 + 72, 0x2a0 + 60])
      await expectCode(
        appraiseSevSnp(flip(report, offset), optionsFor(s)),
        'ERR_EVIDENCE_SIGNATURE',
      );
  }
});

test('SEV-SNP: chain refusals (tampered VCEK, cross pairs, missing or unpinned certificates)', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const [milan, genoa, , vlek] = SAMPLES as [Sample, Sample, Sample, Sample];
  const report = load(milan.report);
  // virtee milan_chain_invalid: vcek_der[40] ^= 0xff; and a flipped byte of the VCEK's signature.
  for (const vcek of [
    mutate(load(milan.signer), 40, (b) => b ^ 0xff),
    flip(load(milan.signer), load(milan.signer).length - 5),
  ])
    await expectCode(
      appraiseSevSnp(report, {
        ...optionsFor(milan),
        certificates: [vcek, ...chain(milan.chain)],
      }),
      'ERR_EVIDENCE_CHAIN',
    );
  // The Milan report with Genoa's VCEK and chain: the chain holds, the report signature does not.
  await expectCode(
    appraiseSevSnp(report, { ...optionsFor(genoa), allowDebug: true }),
    'ERR_EVIDENCE_SIGNATURE',
  );
  // Genoa's VCEK under the Milan ASK/ARK.
  await expectCode(
    appraiseSevSnp(load(genoa.report), {
      ...optionsFor(genoa),
      certificates: [load(genoa.signer), ...chain(milan.chain)],
    }),
    'ERR_EVIDENCE_CHAIN',
  );
  // No certificates, no ASK, an ARK that is not pinned (only Genoa's root pinned).
  await expectCode(
    appraiseSevSnp(report, { ...optionsFor(milan), certificates: [] }),
    'ERR_EVIDENCE_CHAIN',
  );
  await expectCode(
    appraiseSevSnp(report, { ...optionsFor(milan), certificates: [load(milan.signer)] }),
    'ERR_EVIDENCE_CHAIN',
  );
  await expectCode(
    appraiseSevSnp(report, { ...optionsFor(milan), roots: chain(genoa.chain).slice(1) }),
    'ERR_EVIDENCE_CHAIN',
  );
  await expectCode(
    appraiseSevSnp(report, { ...optionsFor(milan), roots: [] }),
    'ERR_EVIDENCE_CHAIN',
  );
  // An ARK given beside the evidence is not trusted for being there: our own PKI's, with AMD's pinned.
  const own = await createSnpPki(milan.at);
  await expectCode(
    appraiseSevSnp(withCertificates(await signSnpReport(own, {}), own), {
      at: milan.at,
      roots: amdRoots(),
      certificates: [new Uint8Array(own.ark.rawData)],
    }),
    'ERR_EVIDENCE_CHAIN',
  );
  // A VLEK-signed report with a VCEK, and a VCEK-signed report with the VLEK.
  await expectCode(
    appraiseSevSnp(load(vlek.report), {
      ...optionsFor(vlek),
      certificates: [load(milan.signer), ...chain(milan.chain)],
    }),
    'ERR_EVIDENCE_CHAIN',
  );
  await expectCode(
    appraiseSevSnp(report, {
      ...optionsFor(milan, vlek.at),
      certificates: [load(vlek.signer), ...chain(vlek.chain)],
    }),
    'ERR_EVIDENCE_CHAIN',
  );
});

test('SEV-SNP: certificates appended to the report (an extended report) serve as the given ones', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const genoa = SAMPLES[1] as Sample;
  const extended = concatBytes(load(genoa.report), load(genoa.signer), ...chain(genoa.chain));
  const result = await appraiseSevSnp(extended, { at: genoa.at, roots: amdRoots() });
  assert.equal(result.claims['product'], 'Genoa');
  // Bytes after the report that are not DER certificates; a truncated report.
  await expectCode(
    appraiseSevSnp(concatBytes(load(genoa.report), Uint8Array.of(1, 2, 3)), optionsFor(genoa)),
    'ERR_EVIDENCE_MALFORMED',
  );
  await expectCode(
    appraiseSevSnp(load(genoa.report).slice(0, 1000), optionsFor(genoa)),
    'ERR_EVIDENCE_MALFORMED',
  );
  // An unknown report version (4, and 0x102) is refused before anything else.
  await expectCode(
    appraiseSevSnp(
      mutate(load(genoa.report), 0, () => 4),
      optionsFor(genoa),
    ),
    'ERR_EVIDENCE_MALFORMED',
  );
  await expectCode(
    appraiseSevSnp(
      mutate(load(genoa.report), 1, () => 1),
      optionsFor(genoa),
    ),
    'ERR_EVIDENCE_MALFORMED',
  );
  // A report has no timestamp of its own.
  await expectCode(
    appraiseSevSnp(load(genoa.report), { ...optionsFor(genoa), at: 'document' }),
    'ERR_ATTESTATION_PLATFORM',
  );
});

test('SEV-SNP: report_data and MEASUREMENT against expected values', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const [milan, genoa] = SAMPLES as [Sample, Sample];
  const reportData = new Uint8Array(64);
  reportData.set([1, 2, 3, 4, 5]);
  await appraiseSevSnp(load(milan.report), { ...optionsFor(milan), expectedNonce: reportData });
  await expectCode(
    appraiseSevSnp(load(milan.report), {
      ...optionsFor(milan),
      expectedNonce: new Uint8Array(64),
    }),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  const measurement = toHex(load(genoa.report).slice(0x90, 0xc0));
  await appraiseSevSnp(load(genoa.report), {
    ...optionsFor(genoa),
    allowedMeasurements: new Set([measurement]),
  });
  await expectCode(
    appraiseSevSnp(load(genoa.report), {
      ...optionsFor(genoa),
      allowedMeasurements: new Set(['00'.repeat(48)]),
    }),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
});

// Synthetic reports, signed by our own VCEK, reach the checks after the signature.
const NOW = new Date('2026-03-01T12:00:00Z');
const synthetic = (pki: SnpPki): AppraisalOptions => ({
  at: NOW,
  roots: [new Uint8Array(pki.ark.rawData)],
});

test('SEV-SNP: reported_tcb must be the TCB the VCEK certifies, field by field', async () => {
  const pki = await createSnpPki(NOW);
  const ok = await appraiseSevSnp(
    withCertificates(await signSnpReport(pki, {}), pki),
    synthetic(pki),
  );
  assert.deepEqual(ok.claims['reportedTcb'], TEST_TCB);
  for (const field of ['bootloader', 'tee', 'snp', 'microcode'] as const) {
    const tcb = { ...TEST_TCB, [field]: TEST_TCB[field] + 1 };
    const report = await signSnpReport(pki, { reportedTcb: tcbBytes(tcb) });
    await expectCode(
      appraiseSevSnp(withCertificates(report, pki), synthetic(pki)),
      'ERR_EVIDENCE_TCB_MISMATCH',
    );
  }
  // A VCEK without one of the TCB extensions certifies nothing for that field.
  const noFmc = await createSnpPki(NOW, { product: 'Turin', hwid: TEST_CHIP_ID.slice(0, 8) });
  await expectCode(
    appraiseSevSnp(
      withCertificates(
        await signSnpReport(noFmc, {
          reportedTcb: tcbBytes({ ...TEST_TCB, fmc: 0 }, true),
          chipId: concatBytes(TEST_CHIP_ID.slice(0, 8), new Uint8Array(56)),
        }),
        noFmc,
      ),
      synthetic(noFmc),
    ),
    'ERR_EVIDENCE_TCB_MISMATCH',
  );
});

test('SEV-SNP: Turin reports are read with the Turin TCB layout and an 8-byte hwID', async () => {
  const tcb = { fmc: 2, bootloader: 3, tee: 1, snp: 4, microcode: 200 };
  const pki = await createSnpPki(NOW, { product: 'Turin', tcb, hwid: TEST_CHIP_ID.slice(0, 8) });
  const chipId = concatBytes(TEST_CHIP_ID.slice(0, 8), new Uint8Array(56));
  const turin = { reportedTcb: tcbBytes(tcb, true), chipId, cpuid: [0x1a, 2, 1] as const };
  const ok = await appraiseSevSnp(
    withCertificates(await signSnpReport(pki, turin), pki),
    synthetic(pki),
  );
  assert.deepEqual(ok.claims['reportedTcb'], tcb);
  // The same TCB in the Milan layout does not match a Turin VCEK.
  await expectCode(
    appraiseSevSnp(
      withCertificates(await signSnpReport(pki, { ...turin, reportedTcb: tcbBytes(tcb) }), pki),
      synthetic(pki),
    ),
    'ERR_EVIDENCE_TCB_MISMATCH',
  );
  // chip_id beyond the 8-byte hwID must be zero.
  const tail = Uint8Array.from(chipId);
  tail[9] = 1;
  await expectCode(
    appraiseSevSnp(
      withCertificates(await signSnpReport(pki, { ...turin, chipId: tail }), pki),
      synthetic(pki),
    ),
    'ERR_EVIDENCE_TCB_MISMATCH',
  );
});

test('SEV-SNP: chip_id must be the VCEK hwID; a VLEK needs none', async () => {
  const pki = await createSnpPki(NOW);
  const other = Uint8Array.from(TEST_CHIP_ID);
  other[63] = 0;
  await expectCode(
    appraiseSevSnp(
      withCertificates(await signSnpReport(pki, { chipId: other }), pki),
      synthetic(pki),
    ),
    'ERR_EVIDENCE_TCB_MISMATCH',
  );
  const noHwid = await createSnpPki(NOW, { hwid: null });
  await expectCode(
    appraiseSevSnp(withCertificates(await signSnpReport(noHwid, {}), noHwid), synthetic(noHwid)),
    'ERR_EVIDENCE_TCB_MISMATCH',
  );
  const vlek = await createSnpPki(NOW, { hwid: null, cspId: 'test-csp' });
  const result = await appraiseSevSnp(
    withCertificates(
      await signSnpReport(vlek, { signingKey: 1, chipId: new Uint8Array(64) }),
      vlek,
    ),
    synthetic(vlek),
  );
  assert.equal(result.claims['signingKey'], 'VLEK');
});

test('SEV-SNP: signature algorithm, signing key and signer key are checked', async () => {
  const pki = await createSnpPki(NOW);
  await expectCode(
    appraiseSevSnp(
      withCertificates(await signSnpReport(pki, { signatureAlgo: 2 }), pki),
      synthetic(pki),
    ),
    'ERR_EVIDENCE_ALGORITHM',
  );
  await expectCode(
    appraiseSevSnp(
      withCertificates(await signSnpReport(pki, { signingKey: 7 }), pki),
      synthetic(pki),
    ),
    'ERR_EVIDENCE_SIGNATURE',
  );
  // A report signed by another key than the VCEK that came with it.
  const other = await createSnpPki(NOW);
  await expectCode(
    appraiseSevSnp(
      concatBytes(
        await signSnpReport(other, {}),
        new Uint8Array(pki.vcek.rawData),
        new Uint8Array(pki.ask.rawData),
      ),
      synthetic(pki),
    ),
    'ERR_EVIDENCE_SIGNATURE',
  );
  // Too many certificates after the report.
  const report = withCertificates(await signSnpReport(pki, {}), pki);
  const ask = new Uint8Array(pki.ask.rawData);
  await expectCode(
    appraiseSevSnp(concatBytes(report, ask, ask, ask), synthetic(pki)),
    'ERR_EVIDENCE_MALFORMED',
  );
});

test('SEV-SNP: the debug bit of a synthetic report, and a non-debug one', async () => {
  const pki = await createSnpPki(NOW);
  const debug = withCertificates(await signSnpReport(pki, { policy: 0x30000n | (1n << 19n) }), pki);
  await expectCode(appraiseSevSnp(debug, synthetic(pki)), 'ERR_ATTESTATION_DEBUG');
  const allowed = await appraiseSevSnp(debug, { ...synthetic(pki), allowDebug: true });
  assert.equal(allowed.debug, true);
  const plain = await appraiseSevSnp(
    withCertificates(await signSnpReport(pki, {}), pki),
    synthetic(pki),
  );
  assert.equal(plain.debug, false);
});

test('SEV-SNP: a VCEK signed by the ARK itself (no ASK) is not a chain', async () => {
  const pki = await createSnpPki(NOW);
  const direct = await x509.X509CertificateGenerator.create({
    serialNumber: '00',
    subject: pki.vcek.subject,
    issuer: pki.ark.subject,
    notBefore: pki.vcek.notBefore,
    notAfter: pki.vcek.notAfter,
    publicKey: pki.vcekKey.publicKey as never,
    signingKey: pki.arkKey.privateKey as never,
    signingAlgorithm: { name: 'RSA-PSS', hash: 'SHA-384', saltLength: 48 },
    extensions: pki.vcek.extensions,
  });
  const report = await signSnpReport(pki, {});
  await expectCode(
    appraiseSevSnp(report, {
      ...synthetic(pki),
      certificates: [new Uint8Array(direct.rawData), new Uint8Array(pki.ark.rawData)],
    }),
    'ERR_EVIDENCE_CHAIN',
  );
  // The same VCEK key certified by the ASK verifies.
  await appraiseSevSnp(report, {
    ...synthetic(pki),
    certificates: [new Uint8Array(pki.vcek.rawData), new Uint8Array(pki.ask.rawData)],
  });
});
