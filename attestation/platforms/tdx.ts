// Intel TDX and SGX (DCAP) evidence: a CBOR map { "quote": bstr, "collateral": tstr } holding the
// quote and the collateral Intel's PCS serves for it (dcap-qvl's QuoteCollateralV3 JSON). The
// collateral is signed by Intel, so the attester may carry it: the verifier trusts only the pinned
// Intel SGX Root CA (an endorsed root). Verified by dcap-verify.ts at the verification time; then
// the debug bit, report_data (the binding, ../binding.ts), the measurement (MRTD for TDX,
// MRENCLAVE for SGX), the other reference values (RTMR0..3, MRSIGNER) and the accepted TCB statuses.
import { asBytes, asMap, asText, decodeCbor, encodeCbor } from '../cbor.js';
import { concatBytes, equalBytes, toHex } from '../bytes.js';
import { fail } from '../errors.js';
import { parseDcapQuote, TEE_SGX, TEE_TDX, type DcapQuote } from './dcap-quote.js';
import { parseCollateral, verifyDcapQuote, type DcapVerdict } from './dcap-verify.js';
import type { AppraisalOptions, AppraisedEvidence, PlatformPlugin } from './types.js';

/** The evidence the enclave submits, and what `vc attest verify --evidence Q --collateral C` builds. */
export function encodeDcapEvidence(quote: Uint8Array, collateralJson: string): Uint8Array {
  return encodeCbor(
    new Map<string, unknown>([
      ['quote', quote],
      ['collateral', collateralJson],
    ]),
  );
}

function decodeDcapEvidence(evidence: Uint8Array): { quote: Uint8Array; collateral: string } {
  const map = asMap(decodeCbor(evidence), 'DCAP evidence');
  if (map.size !== 2)
    fail('ERR_EVIDENCE_MALFORMED', 'DCAP evidence has other fields than quote and collateral');
  return {
    quote: asBytes(map.get('quote'), 'quote'),
    collateral: asText(map.get('collateral'), 'collateral'),
  };
}

/** Reference values other than the measurement, by name, for each report kind. */
function namedValues(quote: DcapQuote): Map<string, Uint8Array> {
  const report = quote.report;
  if (report.kind === 'sgx') return new Map([['mrsigner', report.body.mrSigner]]);
  const td = report.body;
  const out = new Map<string, Uint8Array>([
    ['mrconfigid', td.mrConfigId],
    ['mrowner', td.mrOwner],
    ['mrownerconfig', td.mrOwnerConfig],
  ]);
  td.rtmrs.forEach((rtmr, i) => out.set(`rtmr${i}`, rtmr));
  return out;
}

function claimsOf(
  quote: DcapQuote,
  verdict: DcapVerdict,
  at: Date,
  debug: boolean,
): Record<string, unknown> {
  const common = {
    quoteVersion: quote.version,
    tcbStatus: verdict.status,
    advisoryIds: verdict.advisoryIds,
    platformTcbStatus: verdict.platformStatus.status,
    qeTcbStatus: verdict.qeStatus.status,
    fmspc: verdict.fmspc,
    pceId: verdict.pceId,
    tcbEvaluationDataNumber: verdict.tcbEvaluationDataNumber,
    pckSubject: verdict.pckSubject,
    debug,
    verifiedAt: at.toISOString(),
  };
  const report = quote.report;
  if (report.kind === 'sgx') {
    const r = report.body;
    return {
      ...common,
      mrEnclave: toHex(r.mrEnclave),
      mrSigner: toHex(r.mrSigner),
      isvProdId: r.isvProdId,
      isvSvn: r.isvSvn,
      attributes: toHex(r.attributes),
      reportData: toHex(r.reportData),
    };
  }
  const td = report.body;
  return {
    ...common,
    teeTcbSvn: toHex(td.teeTcbSvn),
    mrSeam: toHex(td.mrSeam),
    tdAttributes: toHex(td.tdAttributes),
    xfam: toHex(td.xfam),
    mrTd: toHex(td.mrTd),
    mrConfigId: toHex(td.mrConfigId),
    mrOwner: toHex(td.mrOwner),
    mrOwnerConfig: toHex(td.mrOwnerConfig),
    rtmrs: td.rtmrs.map(toHex),
    reportData: toHex(td.reportData),
    ...(td.mrServiceTd ? { mrServiceTd: toHex(td.mrServiceTd) } : {}),
  };
}

async function appraiseDcap(
  platform: 'tdx' | 'sgx',
  evidence: Uint8Array,
  options: AppraisalOptions,
): Promise<AppraisedEvidence> {
  if (options.at === 'document')
    fail('ERR_ATTESTATION_PLATFORM', 'a DCAP quote has no timestamp: give the verification time');
  const at = options.at;
  const { quote: quoteBytes, collateral: collateralJson } = decodeDcapEvidence(evidence);
  const quote = parseDcapQuote(quoteBytes);
  if (quote.teeType !== (platform === 'tdx' ? TEE_TDX : TEE_SGX))
    fail('ERR_ATTESTATION_PLATFORM', `the quote is not a ${platform.toUpperCase()} quote`);
  const roots = options.roots ?? [];
  if (roots.length === 0) fail('ERR_ENDORSEMENT_UNKNOWN', `no root is endorsed for ${platform}`);
  const verdict = await verifyDcapQuote(quote, parseCollateral(collateralJson), roots, at);
  if (options.tcbStatuses && !options.tcbStatuses.has(verdict.status))
    fail('ERR_EVIDENCE_TCB', `TCB status ${verdict.status} is not accepted`, {
      status: verdict.status,
      advisoryIds: verdict.advisoryIds,
    });

  const report = quote.report;
  // SGX: ATTRIBUTES.DEBUG (bit 1); TDX: TD_ATTRIBUTES.DEBUG (bit 0 of the TUD byte).
  const debug =
    report.kind === 'sgx'
      ? ((report.body.attributes[0] ?? 0) & 0x02) !== 0
      : ((report.body.tdAttributes[0] ?? 0) & 0x01) !== 0;
  if (debug && !options.allowDebug)
    fail('ERR_ATTESTATION_DEBUG', `the ${platform.toUpperCase()} quote is from a debug enclave`);

  const reportData = report.body.reportData;
  if (options.expectedNonce) {
    const expected = options.expectedNonce;
    const wanted =
      expected.length <= 64
        ? concatBytes(expected, new Uint8Array(64 - expected.length))
        : expected;
    if (!equalBytes(reportData, wanted))
      fail('ERR_ATTESTATION_NONCE_MISMATCH', 'report_data does not bind the expected challenge');
  }
  const measurement = toHex(report.kind === 'sgx' ? report.body.mrEnclave : report.body.mrTd);
  if (options.allowedMeasurements && !options.allowedMeasurements.has(measurement))
    fail(
      'ERR_MEASUREMENT_NOT_ALLOWED',
      `${report.kind === 'sgx' ? 'MRENCLAVE' : 'MRTD'} is not among the reference values`,
      { measurement },
    );
  const named = namedValues(quote);
  for (const [name, allowed] of options.expectedValues ?? []) {
    const value = named.get(name);
    if (!value || !allowed.has(toHex(value)))
      fail('ERR_MEASUREMENT_NOT_ALLOWED', `${name} is not among the reference values`, {
        name,
        value: value ? toHex(value) : null,
      });
  }
  return {
    platform,
    measurement,
    nonce: reportData,
    instanceId: undefined,
    csrHash: undefined,
    policyHash: undefined,
    debug,
    insecure: false,
    timestamp: undefined,
    claims: claimsOf(quote, verdict, at, debug),
  };
}

export const tdxPlugin: PlatformPlugin = {
  name: 'tdx',
  appraise: (evidence, options) => appraiseDcap('tdx', evidence, options),
};

export const sgxPlugin: PlatformPlugin = {
  name: 'sgx',
  appraise: (evidence, options) => appraiseDcap('sgx', evidence, options),
};

/** Names of the reference values other than the measurement each platform takes. */
export const DCAP_VALUE_KINDS: Readonly<Record<'tdx' | 'sgx', readonly string[]>> = {
  tdx: ['rtmr0', 'rtmr1', 'rtmr2', 'rtmr3', 'mrconfigid', 'mrowner', 'mrownerconfig'],
  sgx: ['mrsigner'],
};
