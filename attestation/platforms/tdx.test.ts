// The real Intel DCAP quotes of ../shared/testdata/tdx with their collateral: each gives the outcome
// its README states at the times stated, tampered copies are refused with the code of the failed
// check, and the collateral's every validity edge (CRL nextUpdate included) is enforced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { pemBlocks, toHex } from '../bytes.js';
import { encodeCbor } from '../cbor.js';
import { createDcapPki } from '../testing/dcap.js';
import { parseDcapQuote } from './dcap-quote.js';
import { INTEL_SGX_ROOT_PEM } from './intel-sgx-root.js';
import { encodeDcapEvidence, sgxPlugin, tdxPlugin } from './tdx.js';
import type { AppraisalOptions, AppraisedEvidence } from './types.js';
import type { ErrorCode } from '../../protocol/index.js';

const dir = `${sharedTestdata}tdx/`;
const quoteOf = (name: string): Uint8Array => new Uint8Array(readFileSync(dir + name));
const collateralOf = (name: string): string =>
  readFileSync(`${dir}${name}_collateral.json`, 'utf8');
const ROOTS = pemBlocks(INTEL_SGX_ROOT_PEM, 'CERTIFICATE');
const JULY = new Date('2025-07-01T00:00:00Z');
const MARCH = new Date('2026-03-01T00:00:00Z');

type Name = 'sgx_quote' | 'tdx_quote' | 'tdx_quote_outdated';
const pluginOf = (name: Name) => (name === 'sgx_quote' ? sgxPlugin : tdxPlugin);

function appraise(
  name: Name,
  at: Date,
  options: Partial<AppraisalOptions> = {},
  edit: { quote?: (q: Uint8Array) => void; collateral?: (c: Record<string, string>) => void } = {},
): Promise<AppraisedEvidence> {
  const quote = Uint8Array.from(quoteOf(name));
  edit.quote?.(quote);
  const collateral = JSON.parse(collateralOf(name)) as Record<string, string>;
  edit.collateral?.(collateral);
  return pluginOf(name).appraise(encodeDcapEvidence(quote, JSON.stringify(collateral)), {
    at,
    roots: ROOTS,
    ...options,
  });
}

async function expectCode(p: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: { code?: string; message: string }) => {
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const flip = (offset: number) => (q: Uint8Array) => {
  q[offset] = (q[offset] ?? 0) ^ 1;
};

/** The offset of the QE report inside the quote file. */
function qeReportOffset(name: Name): number {
  const quote = quoteOf(name);
  return parseDcapQuote(quote).qeReportBytes.byteOffset - quote.byteOffset;
}

test('the pinned Intel SGX Root CA is the README file', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  assert.deepEqual(ROOTS[0], new Uint8Array(readFileSync(`${dir}TrustedRootCA.der`)));
});

test('sgx_quote (SGX v3): valid in its window, ConfigurationAndSWHardeningNeeded with two advisories', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const result = await appraise('sgx_quote', JULY);
  assert.equal(result.platform, 'sgx');
  assert.equal(
    result.measurement,
    '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb',
  );
  assert.equal(
    result.claims['mrSigner'],
    '815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6',
  );
  assert.equal(result.claims['tcbStatus'], 'ConfigurationAndSWHardeningNeeded');
  assert.deepEqual(result.claims['advisoryIds'], ['INTEL-SA-00289', 'INTEL-SA-00615']);
  assert.equal(result.claims['fmspc'], '00a067110000');
  assert.equal(result.debug, false);
  const hello = new TextEncoder().encode('Hello, world!');
  assert.deepEqual(result.nonce?.subarray(0, hello.length), hello);
  // report_data as the binding: the expected bytes (zero-padded to 64) must be there.
  await appraise('sgx_quote', JULY, { expectedNonce: hello });
  await expectCode(
    appraise('sgx_quote', JULY, { expectedNonce: new Uint8Array(32) }),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  // Window edges: 2025-06-19T10:56:11Z (TCB info issueDate) .. 2025-07-19T10:01:18Z (QE identity nextUpdate).
  await appraise('sgx_quote', new Date('2025-06-19T10:56:11Z'));
  await appraise('sgx_quote', new Date('2025-07-19T10:01:18Z'));
  await expectCode(
    appraise('sgx_quote', new Date('2025-06-19T10:56:10Z')),
    'ERR_EVIDENCE_COLLATERAL_EXPIRED',
    /TCB info/,
  );
  await expectCode(
    appraise('sgx_quote', new Date('2025-07-19T10:01:19Z')),
    'ERR_EVIDENCE_COLLATERAL_EXPIRED',
  );
  // Reference values and accepted statuses.
  await appraise('sgx_quote', JULY, {
    allowedMeasurements: new Set([result.measurement]),
    expectedValues: new Map([['mrsigner', new Set([String(result.claims['mrSigner'])])]]),
  });
  await expectCode(
    appraise('sgx_quote', JULY, { allowedMeasurements: new Set(['00'.repeat(32)]) }),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await expectCode(
    appraise('sgx_quote', JULY, {
      expectedValues: new Map([['mrsigner', new Set(['00'.repeat(32)])]]),
    }),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await expectCode(
    appraise('sgx_quote', JULY, { tcbStatuses: new Set(['UpToDate']) }),
    'ERR_EVIDENCE_TCB',
  );
});

test('tdx_quote (TDX v4): valid in its window, UpToDate, no advisories; the CRL nextUpdate is enforced', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const result = await appraise('tdx_quote', JULY, { tcbStatuses: new Set(['UpToDate']) });
  assert.equal(result.platform, 'tdx');
  assert.match(result.measurement, /^91eb2b44.*873118b7$/);
  assert.equal(result.measurement.length, 96);
  assert.equal(result.claims['tcbStatus'], 'UpToDate');
  assert.deepEqual(result.claims['advisoryIds'], []);
  assert.equal(result.claims['quoteVersion'], 4);
  assert.equal(result.claims['tdAttributes'], '0000001000000000');
  assert.equal(result.debug, false);
  const rtmrs = result.claims['rtmrs'] as string[];
  await appraise('tdx_quote', JULY, {
    allowedMeasurements: new Set([result.measurement]),
    expectedValues: new Map([
      ['rtmr0', new Set([rtmrs[0] ?? ''])],
      ['rtmr3', new Set([rtmrs[3] ?? ''])],
    ]),
  });
  await expectCode(
    appraise('tdx_quote', JULY, {
      expectedValues: new Map([['rtmr1', new Set(['00'.repeat(48)])]]),
    }),
    'ERR_MEASUREMENT_NOT_ALLOWED',
    /rtmr1/,
  );
  // Window: QE identity issueDate 2025-06-19T10:32:27Z .. PCK CRL nextUpdate 2025-07-19T10:00:35Z.
  await appraise('tdx_quote', new Date('2025-06-19T10:32:27Z'));
  await expectCode(
    appraise('tdx_quote', new Date(1750329146_000)),
    'ERR_EVIDENCE_COLLATERAL_EXPIRED',
    /QE identity/,
  );
  await appraise('tdx_quote', new Date('2025-07-19T10:00:35Z'));
  // dcap-qvl 0.3.9 still accepts this until 10:16:03Z; Intel's QVL and this verifier do not.
  await expectCode(
    appraise('tdx_quote', new Date('2025-07-19T10:00:36Z')),
    'ERR_EVIDENCE_COLLATERAL_EXPIRED',
    /PCK CRL/,
  );
  await expectCode(
    appraise('tdx_quote', new Date('2026-11-27T00:00:00Z')),
    'ERR_EVIDENCE_COLLATERAL_EXPIRED',
  );
});

test('tdx_quote_outdated (TDX v5, TD report 1.5): every signature verifies, then no TCB level matches', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const quote = parseDcapQuote(quoteOf('tdx_quote_outdated'));
  assert.equal(quote.version, 5);
  assert.equal(quote.report.kind === 'td' && quote.report.body.mrServiceTd?.length, 48);
  await expectCode(
    appraise('tdx_quote_outdated', MARCH),
    'ERR_EVIDENCE_TCB',
    /below every TCB level/,
  );
  await expectCode(
    appraise('tdx_quote_outdated', new Date('2026-02-18T10:58:51Z')),
    'ERR_EVIDENCE_TCB',
  );
  await expectCode(
    appraise('tdx_quote_outdated', new Date('2026-03-20T10:41:15Z')),
    'ERR_EVIDENCE_TCB',
  );
  await expectCode(
    appraise('tdx_quote_outdated', new Date('2026-02-18T10:58:50Z')),
    'ERR_EVIDENCE_COLLATERAL_EXPIRED',
  );
  await expectCode(
    appraise('tdx_quote_outdated', new Date('2026-03-20T10:41:16Z')),
    'ERR_EVIDENCE_COLLATERAL_EXPIRED',
  );
});

test('tampered DCAP evidence is refused with the code of the failed check', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const cases: [Name, Date, number][] = [
    ['sgx_quote', JULY, 48 + 320],
    ['tdx_quote', JULY, 48 + 520],
    ['tdx_quote_outdated', MARCH, 48 + 6 + 520],
  ];
  for (const [name, at, reportData] of cases) {
    // Header (its user data), report_data in the body: the quote signature.
    await expectCode(
      appraise(name, at, {}, { quote: flip(30) }),
      'ERR_EVIDENCE_SIGNATURE',
      /quote signature/,
    );
    await expectCode(
      appraise(name, at, {}, { quote: flip(reportData) }),
      'ERR_EVIDENCE_SIGNATURE',
      /quote signature/,
    );
    await expectCode(
      appraise(name, at, {}, { quote: flip(100) }),
      'ERR_EVIDENCE_SIGNATURE',
      /quote signature/,
    );
    // The QE report: the PCK key's signature over it.
    await expectCode(
      appraise(name, at, {}, { quote: flip(qeReportOffset(name) + 64) }),
      'ERR_EVIDENCE_SIGNATURE',
      /QE report/,
    );
    // Intel-signed collateral: one character of the TCB info or QE identity, or of a signature.
    const bump = (key: string) => (c: Record<string, string>) => {
      const before = c[key] ?? '';
      c[key] = before.replace('"tcbEvaluationDataNumber":1', '"tcbEvaluationDataNumber":2');
      assert.notEqual(c[key], before);
    };
    await expectCode(
      appraise(name, at, {}, { collateral: bump('tcb_info') }),
      'ERR_EVIDENCE_COLLATERAL',
      /TCB info signature/,
    );
    await expectCode(
      appraise(name, at, {}, { collateral: bump('qe_identity') }),
      'ERR_EVIDENCE_COLLATERAL',
      /QE identity signature/,
    );
    const flipHex = (key: string, at: number) => (c: Record<string, string>) => {
      const hex = c[key] ?? '';
      const i = at < 0 ? hex.length + at : at;
      c[key] = hex.slice(0, i) + (hex[i] === '0' ? '1' : '0') + hex.slice(i + 1);
    };
    await expectCode(
      appraise(name, at, {}, { collateral: flipHex('tcb_info_signature', 10) }),
      'ERR_EVIDENCE_COLLATERAL',
    );
    await expectCode(
      appraise(name, at, {}, { collateral: flipHex('qe_identity_signature', -3) }),
      'ERR_EVIDENCE_COLLATERAL',
    );
    await expectCode(
      appraise(name, at, {}, { collateral: flipHex('pck_crl', -3) }),
      'ERR_EVIDENCE_COLLATERAL',
      /PCK CRL/,
    );
    await expectCode(
      appraise(name, at, {}, { collateral: flipHex('root_ca_crl', -3) }),
      'ERR_EVIDENCE_COLLATERAL',
      /root CA CRL/,
    );
  }
});

test('DCAP refusals: wrong collateral, root, TEE, time and malformed evidence', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  // The TDX platform's collateral offered with the SGX quote.
  await expectCode(
    sgxPlugin.appraise(encodeDcapEvidence(quoteOf('sgx_quote'), collateralOf('tdx_quote')), {
      at: JULY,
      roots: ROOTS,
    }),
    'ERR_EVIDENCE_COLLATERAL',
  );
  // Another platform's TCB info (Intel-signed, so its signature verifies) with tdx_quote: its
  // validity window (2026) does not contain the time.
  await expectCode(
    appraise(
      'tdx_quote',
      JULY,
      {},
      {
        collateral: (c) => {
          const other = JSON.parse(collateralOf('tdx_quote_outdated')) as Record<string, string>;
          Object.assign(c, {
            tcb_info: other['tcb_info'],
            tcb_info_signature: other['tcb_info_signature'],
          });
        },
      },
    ),
    'ERR_EVIDENCE_COLLATERAL_EXPIRED',
  );
  // Another root; no root at all.
  const other = await createDcapPki(JULY);
  await expectCode(
    appraise('tdx_quote', JULY, { roots: [new Uint8Array(other.root.rawData)] }),
    'ERR_EVIDENCE_CHAIN',
  );
  await expectCode(appraise('tdx_quote', JULY, { roots: [] }), 'ERR_ENDORSEMENT_UNKNOWN');
  // A TDX quote as SGX evidence; a verification time at "the document's own time".
  await expectCode(
    sgxPlugin.appraise(encodeDcapEvidence(quoteOf('tdx_quote'), collateralOf('tdx_quote')), {
      at: JULY,
      roots: ROOTS,
    }),
    'ERR_ATTESTATION_PLATFORM',
  );
  await expectCode(appraise('tdx_quote', JULY, { at: 'document' }), 'ERR_ATTESTATION_PLATFORM');
  // Malformed: truncated quote, unknown version, no CBOR map, collateral not JSON or missing a field.
  const quote = quoteOf('tdx_quote');
  await expectCode(
    tdxPlugin.appraise(encodeDcapEvidence(quote.subarray(0, 700), collateralOf('tdx_quote')), {
      at: JULY,
      roots: ROOTS,
    }),
    'ERR_EVIDENCE_MALFORMED',
  );
  await expectCode(appraise('tdx_quote', JULY, {}, { quote: flip(0) }), 'ERR_EVIDENCE_MALFORMED');
  await expectCode(
    appraise('tdx_quote', JULY, {}, { quote: (q) => q.fill(1, q.length - 4) }),
    'ERR_EVIDENCE_MALFORMED',
  );
  await expectCode(
    tdxPlugin.appraise(encodeCbor([1, 2]), { at: JULY, roots: ROOTS }),
    'ERR_EVIDENCE_MALFORMED',
  );
  await expectCode(
    tdxPlugin.appraise(encodeDcapEvidence(quote, '{not json'), { at: JULY, roots: ROOTS }),
    'ERR_EVIDENCE_COLLATERAL',
  );
  await expectCode(
    appraise('tdx_quote', JULY, {}, { collateral: (c) => delete c['pck_crl'] }),
    'ERR_EVIDENCE_COLLATERAL',
  );
  assert.equal(toHex(quote.subarray(0, 2)), '0400');
});
