// Intel DCAP quotes (SGX and TDX, versions 3, 4 and 5), parsed strictly: a 48-byte header, the
// report body (SGX enclave report, TD report 1.0 or 1.5), then the ECDSA-P256 signature data with
// the attestation key, the Quoting Enclave's report signed by the PCK key, and the PCK chain (PEM).
// Layouts: Intel SGX ECDSA Quote Library API (quote v3) and Intel TDX DCAP Quoting Library API
// (quote v4 and v5). Nothing here verifies a signature; dcap-verify.ts does.
import { fail } from '../errors.js';

export const TEE_SGX = 0x00000000;
export const TEE_TDX = 0x00000081;
/** Attestation key type 2: ECDSA-256 with the P-256 curve. */
const ECDSA_P256 = 2;
/** Intel's QE vendor id. */
export const INTEL_QE_VENDOR_ID = '939a7233f79c4ca9940a0db3957f0607';
const SGX_REPORT_BYTES = 384;
const TD10_REPORT_BYTES = 584;
const TD15_REPORT_BYTES = 648;
/** Certification data types: 5 = PCK leaf, its CA and the root (PEM); 6 = QE report certification data. */
const CERT_PCK_CHAIN = 5;
const CERT_QE_REPORT = 6;

export interface SgxReport {
  readonly cpuSvn: Uint8Array;
  readonly miscSelect: number;
  readonly attributes: Uint8Array;
  readonly mrEnclave: Uint8Array;
  readonly mrSigner: Uint8Array;
  readonly isvProdId: number;
  readonly isvSvn: number;
  readonly reportData: Uint8Array;
}

interface TdReport {
  readonly teeTcbSvn: Uint8Array;
  readonly mrSeam: Uint8Array;
  readonly mrSignerSeam: Uint8Array;
  readonly seamAttributes: Uint8Array;
  readonly tdAttributes: Uint8Array;
  readonly xfam: Uint8Array;
  readonly mrTd: Uint8Array;
  readonly mrConfigId: Uint8Array;
  readonly mrOwner: Uint8Array;
  readonly mrOwnerConfig: Uint8Array;
  readonly rtmrs: readonly Uint8Array[];
  readonly reportData: Uint8Array;
  /** TD report 1.5 only (quote v5, body type 3). */
  readonly teeTcbSvn2: Uint8Array | undefined;
  readonly mrServiceTd: Uint8Array | undefined;
}

export interface DcapQuote {
  readonly version: number;
  readonly teeType: number;
  readonly qeVendorId: Uint8Array;
  readonly report: { kind: 'sgx'; body: SgxReport } | { kind: 'td'; body: TdReport };
  /** Header and body: what the attestation key signed. */
  readonly signedBytes: Uint8Array;
  /** Raw r || s over signedBytes. */
  readonly signature: Uint8Array;
  /** Raw x || y of the P-256 attestation key. */
  readonly attestationKey: Uint8Array;
  /** The QE's own SGX report (384 bytes) and the PCK key's raw r || s over it. */
  readonly qeReportBytes: Uint8Array;
  readonly qeReport: SgxReport;
  readonly qeReportSignature: Uint8Array;
  readonly qeAuthData: Uint8Array;
  /** The PEM text of the PCK leaf, its CA and (usually) the root. */
  readonly pckChainPem: string;
}

class Reader {
  offset = 0;
  readonly bytes: Uint8Array;
  readonly what: string;

  constructor(bytes: Uint8Array, what: string) {
    this.bytes = bytes;
    this.what = what;
  }

  take(length: number, field: string): Uint8Array {
    if (this.offset + length > this.bytes.length)
      fail('ERR_EVIDENCE_MALFORMED', `${this.what} is truncated at ${field}`);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  u16(field: string): number {
    const b = this.take(2, field);
    return (b[0] ?? 0) | ((b[1] ?? 0) << 8);
  }

  u32(field: string): number {
    const b = this.take(4, field);
    return ((b[0] ?? 0) | ((b[1] ?? 0) << 8) | ((b[2] ?? 0) << 16) | ((b[3] ?? 0) << 24)) >>> 0;
  }

  end(): void {
    if (this.offset !== this.bytes.length)
      fail(
        'ERR_EVIDENCE_MALFORMED',
        `${this.what} has ${this.bytes.length - this.offset} trailing bytes`,
      );
  }
}

function parseSgxReport(bytes: Uint8Array): SgxReport {
  const r = new Reader(bytes, 'SGX report');
  const cpuSvn = r.take(16, 'cpusvn');
  const miscSelect = r.u32('miscselect');
  r.take(28, 'reserved');
  const attributes = r.take(16, 'attributes');
  const mrEnclave = r.take(32, 'mrenclave');
  r.take(32, 'reserved');
  const mrSigner = r.take(32, 'mrsigner');
  r.take(96, 'reserved');
  const isvProdId = r.u16('isvprodid');
  const isvSvn = r.u16('isvsvn');
  r.take(60, 'reserved');
  const reportData = r.take(64, 'report_data');
  r.end();
  return { cpuSvn, miscSelect, attributes, mrEnclave, mrSigner, isvProdId, isvSvn, reportData };
}

function parseTdReport(bytes: Uint8Array): TdReport {
  const r = new Reader(bytes, 'TD report');
  const teeTcbSvn = r.take(16, 'tee_tcb_svn');
  const mrSeam = r.take(48, 'mrseam');
  const mrSignerSeam = r.take(48, 'mrsignerseam');
  const seamAttributes = r.take(8, 'seam_attributes');
  const tdAttributes = r.take(8, 'td_attributes');
  const xfam = r.take(8, 'xfam');
  const mrTd = r.take(48, 'mrtd');
  const mrConfigId = r.take(48, 'mrconfigid');
  const mrOwner = r.take(48, 'mrowner');
  const mrOwnerConfig = r.take(48, 'mrownerconfig');
  const rtmrs = [0, 1, 2, 3].map((i) => r.take(48, `rtmr${i}`));
  const reportData = r.take(64, 'report_data');
  const v15 = bytes.length === TD15_REPORT_BYTES;
  const teeTcbSvn2 = v15 ? r.take(16, 'tee_tcb_svn2') : undefined;
  const mrServiceTd = v15 ? r.take(48, 'mrservicetd') : undefined;
  r.end();
  return {
    teeTcbSvn,
    mrSeam,
    mrSignerSeam,
    seamAttributes,
    tdAttributes,
    xfam,
    mrTd,
    mrConfigId,
    mrOwner,
    mrOwnerConfig,
    rtmrs,
    reportData,
    teeTcbSvn2,
    mrServiceTd,
  };
}

/** The report body: its kind follows the version, the TEE type and (v5) the body descriptor. */
function readBody(r: Reader, version: number, teeType: number): DcapQuote['report'] {
  if (version === 5) {
    const type = r.u16('body type');
    const size = r.u32('body size');
    const expected = { 1: SGX_REPORT_BYTES, 2: TD10_REPORT_BYTES, 3: TD15_REPORT_BYTES }[type];
    if (expected === undefined || size !== expected)
      fail('ERR_EVIDENCE_MALFORMED', `quote v5 body type ${type} of ${size} bytes is not known`);
    if ((type === 1) !== (teeType === TEE_SGX))
      fail('ERR_EVIDENCE_MALFORMED', `quote v5 body type ${type} does not match the TEE type`);
    const body = r.take(size, 'report body');
    return type === 1
      ? { kind: 'sgx', body: parseSgxReport(body) }
      : { kind: 'td', body: parseTdReport(body) };
  }
  if (teeType === TEE_SGX)
    return { kind: 'sgx', body: parseSgxReport(r.take(SGX_REPORT_BYTES, 'report body')) };
  return { kind: 'td', body: parseTdReport(r.take(TD10_REPORT_BYTES, 'report body')) };
}

/** Certification data: type (u16), size (u32), data. */
function readCertData(r: Reader): { type: number; data: Uint8Array } {
  const type = r.u16('certification data type');
  const size = r.u32('certification data size');
  return { type, data: r.take(size, 'certification data') };
}

function pckChainOf(certData: { type: number; data: Uint8Array }): string {
  if (certData.type !== CERT_PCK_CHAIN)
    fail(
      'ERR_EVIDENCE_MALFORMED',
      `certification data type ${certData.type} is not a PCK chain (type 5)`,
    );
  return new TextDecoder('utf-8', { fatal: false }).decode(certData.data);
}

export function parseDcapQuote(bytes: Uint8Array): DcapQuote {
  const r = new Reader(bytes, 'DCAP quote');
  const version = r.u16('version');
  const keyType = r.u16('attestation key type');
  const teeType = r.u32('tee type');
  r.take(4, 'qe/pce svn');
  const qeVendorId = r.take(16, 'qe vendor id');
  r.take(20, 'user data');
  if (![3, 4, 5].includes(version))
    fail('ERR_EVIDENCE_MALFORMED', `DCAP quote version ${version} is not 3, 4 or 5`);
  if (keyType !== ECDSA_P256)
    fail('ERR_EVIDENCE_ALGORITHM', `attestation key type ${keyType} is not ECDSA-256 (P-256)`);
  if (teeType !== TEE_SGX && teeType !== TEE_TDX)
    fail('ERR_EVIDENCE_MALFORMED', `TEE type 0x${teeType.toString(16)} is neither SGX nor TDX`);
  if (version === 3 && teeType !== TEE_SGX)
    fail('ERR_EVIDENCE_MALFORMED', 'a version 3 quote is SGX only');
  const report = readBody(r, version, teeType);
  const signedBytes = bytes.subarray(0, r.offset);
  const sigLength = r.u32('signature data length');
  const sig = new Reader(r.take(sigLength, 'signature data'), 'quote signature data');
  // Quote buffers come zero-padded from the quoting library (tdx_quote has 70 zero bytes after its
  // signature data); anything else after the signature data is refused.
  if (bytes.subarray(r.offset).some((b) => b !== 0))
    fail('ERR_EVIDENCE_MALFORMED', 'DCAP quote has non-zero bytes after its signature data');
  const signature = sig.take(64, 'quote signature');
  const attestationKey = sig.take(64, 'attestation key');
  // v3: the QE report certification data sits directly in the signature data; v4 and v5 wrap it
  // in certification data of type 6.
  let qe = sig;
  if (version !== 3) {
    const outer = readCertData(sig);
    sig.end();
    if (outer.type !== CERT_QE_REPORT)
      fail('ERR_EVIDENCE_MALFORMED', `certification data type ${outer.type} is not 6`);
    qe = new Reader(outer.data, 'QE report certification data');
  }
  const qeReportBytes = qe.take(SGX_REPORT_BYTES, 'QE report');
  const qeReportSignature = qe.take(64, 'QE report signature');
  const qeAuthData = qe.take(qe.u16('QE auth data size'), 'QE auth data');
  const pckChainPem = pckChainOf(readCertData(qe));
  qe.end();
  return {
    version,
    teeType,
    qeVendorId,
    report,
    signedBytes,
    signature,
    attestationKey,
    qeReportBytes,
    qeReport: parseSgxReport(qeReportBytes),
    qeReportSignature,
    qeAuthData,
    pckChainPem,
  };
}
