// AMD SEV-SNP attestation reports (the firmware's ATTESTATION_REPORT, versions 2, 3 and 5): 1184 bytes,
// little-endian fields, bytes 0x000..0x2A0 signed ECDSA P-384 / SHA-384 by the chip's VCEK or by a
// cloud provider's VLEK; the signature at 0x2A0 is r then s, 72 bytes each, little-endian.
// The chain is ARK (self-signed, pinned) -> ASK (or ASVK for VLEKs) -> VCEK/VLEK, all RSASSA-PSS;
// the VCEK's extensions certify the TCB it was issued for and the chip's hwID, which must be the
// report's reported_tcb and chip_id. Evidence is the report, optionally followed by the DER
// certificates that came with it (VCEK/VLEK, ASK/ASVK, ARK in any order: those of an extended report);
// certificates may also be given beside it (`certificates`). Certificates are never trusted from
// the evidence: the ARK must be one of the pinned roots.
import { webcrypto } from 'node:crypto';
import { equalBytes, toHex } from '../bytes.js';
import { readTlv, TAG } from '../ca/der.js';
import { fail } from '../errors.js';
import { isVcError, x509 } from '../../protocol/index.js';
import type { AppraisalOptions, AppraisedEvidence, PlatformPlugin } from './types.js';

const SNP_REPORT_SIZE = 0x4a0;
/** The report's signed bytes end where the signature starts. */
const SNP_SIGNED_SIZE = 0x2a0;
const SUPPORTED_VERSIONS = [2, 3, 5];
const MAX_CERTIFICATES = 4;
/** Guest policy bit 19: the hypervisor may debug (read and write) the guest. */
const POLICY_DEBUG = 1n << 19n;

/** AMD's VCEK/VLEK extensions (AMD KDS specification). */
const OID = {
  product: '1.3.6.1.4.1.3704.1.2',
  bootloader: '1.3.6.1.4.1.3704.1.3.1',
  tee: '1.3.6.1.4.1.3704.1.3.2',
  snp: '1.3.6.1.4.1.3704.1.3.3',
  microcode: '1.3.6.1.4.1.3704.1.3.8',
  fmc: '1.3.6.1.4.1.3704.1.3.9',
  hwid: '1.3.6.1.4.1.3704.1.4',
  cspId: '1.3.6.1.4.1.3704.1.5',
} as const;

type TcbField = 'fmc' | 'bootloader' | 'tee' | 'snp' | 'microcode';
type Tcb = Partial<Record<TcbField, number>>;

interface SnpReport {
  readonly version: number;
  readonly guestSvn: number;
  readonly policy: bigint;
  readonly vmpl: number;
  readonly signatureAlgo: number;
  readonly currentTcb: Uint8Array;
  readonly platformInfo: bigint;
  /** signer_info bits 4:2: 0 = VCEK, 1 = VLEK, 7 = none. */
  readonly signingKey: number;
  readonly reportData: Uint8Array;
  readonly measurement: Uint8Array;
  readonly hostData: Uint8Array;
  readonly idKeyDigest: Uint8Array;
  readonly authorKeyDigest: Uint8Array;
  readonly reportId: Uint8Array;
  readonly reportedTcb: Uint8Array;
  /** CPUID family, model, stepping (versions 3 and later; zero in version 2). */
  readonly cpuid: readonly [number, number, number];
  readonly chipId: Uint8Array;
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

function parseReport(report: Uint8Array): SnpReport {
  const view = new DataView(report.buffer, report.byteOffset, report.byteLength);
  const u32 = (offset: number): number => view.getUint32(offset, true);
  const u64 = (offset: number): bigint => view.getBigUint64(offset, true);
  const bytes = (offset: number, length: number): Uint8Array =>
    report.slice(offset, offset + length);
  const version = u32(0x00);
  if (!SUPPORTED_VERSIONS.includes(version))
    fail('ERR_EVIDENCE_MALFORMED', `SEV-SNP report version ${version} is not supported`);
  return {
    version,
    guestSvn: u32(0x04),
    policy: u64(0x08),
    vmpl: u32(0x30),
    signatureAlgo: u32(0x34),
    currentTcb: bytes(0x38, 8),
    platformInfo: u64(0x40),
    signingKey: (u32(0x48) >> 2) & 7,
    reportData: bytes(0x50, 64),
    measurement: bytes(0x90, 48),
    hostData: bytes(0xc0, 32),
    idKeyDigest: bytes(0xe0, 48),
    authorKeyDigest: bytes(0x110, 48),
    reportId: bytes(0x140, 32),
    reportedTcb: bytes(0x180, 8),
    cpuid: [report[0x188] ?? 0, report[0x189] ?? 0, report[0x18a] ?? 0],
    chipId: bytes(0x1a0, 64),
    signed: bytes(0, SNP_SIGNED_SIZE),
    signature: bytes(SNP_SIGNED_SIZE, 144),
  };
}

/** The report, then zero or more DER certificates. */
function splitEvidence(evidence: Uint8Array): { report: Uint8Array; certificates: Uint8Array[] } {
  if (evidence.length < SNP_REPORT_SIZE)
    fail('ERR_EVIDENCE_MALFORMED', `an SEV-SNP report is ${SNP_REPORT_SIZE} bytes`);
  const certificates: Uint8Array[] = [];
  for (let offset = SNP_REPORT_SIZE; offset < evidence.length;) {
    let next: number;
    try {
      const item = readTlv(evidence, offset);
      if (item.tag !== TAG.SEQUENCE) throw new Error('not a SEQUENCE');
      next = item.next;
    } catch {
      return fail('ERR_EVIDENCE_MALFORMED', 'bytes after the SEV-SNP report are not certificates');
    }
    if (certificates.length === MAX_CERTIFICATES)
      fail('ERR_EVIDENCE_MALFORMED', `more than ${MAX_CERTIFICATES} certificates`);
    certificates.push(evidence.slice(offset, next));
    offset = next;
  }
  return { report: evidence.slice(0, SNP_REPORT_SIZE), certificates };
}

/**
 * reported_tcb: Milan and Genoa lay it out [bootloader, tee, 0, 0, 0, 0, snp, microcode]; Turin
 * [fmc, bootloader, tee, snp, 0, 0, 0, microcode].
 */
function decodeTcb(tcb: Uint8Array, turin: boolean): Tcb {
  const at = (i: number): number => tcb[i] ?? 0;
  return turin
    ? { fmc: at(0), bootloader: at(1), tee: at(2), snp: at(3), microcode: at(7) }
    : { bootloader: at(0), tee: at(1), snp: at(6), microcode: at(7) };
}

function parseCert(der: Uint8Array, what: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(der);
  } catch (error) {
    return fail(
      'ERR_EVIDENCE_CHAIN',
      `unparsable ${what} certificate: ${(error as Error).message}`,
    );
  }
}

/** Runs a check of the x509 library, whose lazy parsing throws on malformed fields, as a chain check. */
async function chainCheck<T>(what: string, check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (isVcError(error)) throw error;
    return fail('ERR_EVIDENCE_CHAIN', `${what}: ${(error as Error).message}`);
  }
}

function extensionValue(cert: x509.X509Certificate, oid: string): Uint8Array | undefined {
  const ext = cert.extensions.find((e) => e.type === oid);
  return ext ? new Uint8Array(ext.value) : undefined;
}

/** An SPL extension: a DER INTEGER, one or more bytes (128 and up carry a leading zero). */
function extensionInteger(cert: x509.X509Certificate, oid: string): number | undefined {
  const value = extensionValue(cert, oid);
  if (!value) return undefined;
  try {
    const item = readTlv(value, 0);
    if (item.tag !== TAG.INTEGER || item.next !== value.length || item.value.length > 4)
      throw new Error('not a small INTEGER');
    if ((item.value[0] ?? 0) & 0x80) throw new Error('negative');
    return item.value.reduce((n, b) => n * 256 + b, 0);
  } catch (error) {
    return fail('ERR_EVIDENCE_CHAIN', `VCEK extension ${oid}: ${(error as Error).message}`);
  }
}

function extensionText(cert: x509.X509Certificate, oid: string): string | undefined {
  const value = extensionValue(cert, oid);
  if (!value) return undefined;
  try {
    const item = readTlv(value, 0);
    if (item.tag !== 0x16 || item.next !== value.length) throw new Error('not an IA5String');
    return new TextDecoder().decode(item.value);
  } catch (error) {
    return fail('ERR_EVIDENCE_CHAIN', `VCEK extension ${oid}: ${(error as Error).message}`);
  }
}

function checkValidity(cert: x509.X509Certificate, what: string, at: Date): void {
  if (at < cert.notBefore || at > cert.notAfter)
    fail(
      'ERR_EVIDENCE_CERT_EXPIRED',
      `the ${what} (${cert.subject}) is not valid at ${at.toISOString()}`,
      {
        notBefore: cert.notBefore.toISOString(),
        notAfter: cert.notAfter.toISOString(),
      },
    );
}

async function signedBy(
  cert: x509.X509Certificate,
  issuer: x509.X509Certificate,
): Promise<boolean> {
  if (cert.issuer !== issuer.subject) return false;
  return chainCheck(`signature of ${cert.subject}`, () =>
    cert.verify({ publicKey: issuer.publicKey, signatureOnly: true }),
  );
}

function isCa(cert: x509.X509Certificate): boolean {
  return cert.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}

interface Chain {
  readonly signer: x509.X509Certificate;
  readonly intermediate: x509.X509Certificate;
  readonly root: x509.X509Certificate;
}

/**
 * Finds the VCEK/VLEK (the one certificate with an EC key, or the first given), its issuer among the
 * other certificates, and that issuer's issuer among the pinned roots; verifies the three signatures
 * and validity at `at`.
 */
async function verifyChain(
  given: readonly Uint8Array[],
  roots: readonly Uint8Array[],
  at: Date,
): Promise<Chain> {
  if (given.length === 0)
    fail('ERR_EVIDENCE_CHAIN', 'no VCEK or VLEK came with the SEV-SNP report');
  const certs = given.map((der) => parseCert(der, 'platform'));
  const signerIndex = certs.findIndex(
    (c) => c.publicKey.algorithm.name === 'ECDSA' || c.publicKey.algorithm.name === 'EC',
  );
  const signer = certs[signerIndex < 0 ? 0 : signerIndex] as x509.X509Certificate;
  const others = certs.filter((c) => c !== signer);
  let intermediate: x509.X509Certificate | undefined;
  // The ASK/ASVK: never a self-issued certificate (an ARK does not sign VCEKs itself).
  for (const candidate of others)
    if (candidate.subject !== candidate.issuer && (await signedBy(signer, candidate)))
      intermediate = candidate;
  if (!intermediate)
    fail(
      'ERR_EVIDENCE_CHAIN',
      `no certificate given for the issuer of the VCEK/VLEK (${signer.issuer})`,
    );
  let root: x509.X509Certificate | undefined;
  for (const der of roots) {
    const candidate = parseCert(der, 'root');
    if ((await signedBy(intermediate, candidate)) && (await signedBy(candidate, candidate)))
      root = candidate;
  }
  if (!root)
    fail(
      'ERR_EVIDENCE_CHAIN',
      `the ${intermediate.subject} certificate is not signed by a pinned ARK`,
    );
  for (const [cert, what] of [
    [root, 'ARK'],
    [intermediate, 'ASK'],
  ] as const) {
    if (!(await chainCheck(`${what} extensions`, () => isCa(cert))))
      fail('ERR_EVIDENCE_CHAIN', `the ${what} is not a CA`);
  }
  checkValidity(root, 'ARK', at);
  checkValidity(intermediate, 'ASK', at);
  checkValidity(signer, 'VCEK/VLEK', at);
  return { signer, intermediate, root };
}

async function signerKey(signer: x509.X509Certificate): Promise<webcrypto.CryptoKey> {
  try {
    const key = await signer.publicKey.export({ name: 'ECDSA', namedCurve: 'P-384' }, ['verify']);
    return key as unknown as webcrypto.CryptoKey;
  } catch {
    return fail('ERR_EVIDENCE_CHAIN', 'the VCEK/VLEK does not hold an EC P-384 key');
  }
}

/** r and s are 72-byte little-endian fields; P-384 values fill 48 bytes, the rest must be zero. */
function p1363Signature(signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(96);
  for (const [field, start] of [
    [0, 0],
    [72, 48],
  ] as const) {
    const value = signature.subarray(field, field + 72);
    if (value.subarray(48).some((b) => b !== 0))
      fail('ERR_EVIDENCE_SIGNATURE', 'the report signature is not a P-384 signature');
    out.set(Uint8Array.from(value.subarray(0, 48)).reverse(), start);
  }
  return out;
}

async function verifyReportSignature(report: SnpReport, key: webcrypto.CryptoKey): Promise<void> {
  if (report.signatureAlgo !== 1)
    fail(
      'ERR_EVIDENCE_ALGORITHM',
      `SEV-SNP signature algorithm ${report.signatureAlgo} is not ECDSA P-384 SHA-384`,
    );
  const ok = await webcrypto.subtle.verify(
    { name: 'ECDSA', hash: 'SHA-384' },
    key,
    p1363Signature(report.signature),
    report.signed,
  );
  if (!ok)
    fail('ERR_EVIDENCE_SIGNATURE', 'the report signature does not verify with the VCEK/VLEK');
}

/** Which key signed (signer_info), and the certificate being of that kind. */
function checkSignerKind(report: SnpReport, signer: x509.X509Certificate): 'VCEK' | 'VLEK' {
  const hasCspId = extensionValue(signer, OID.cspId) !== undefined;
  if (report.signingKey === 0) {
    if (hasCspId) fail('ERR_EVIDENCE_CHAIN', 'the report names a VCEK but a VLEK came with it');
    return 'VCEK';
  }
  if (report.signingKey === 1) {
    if (!hasCspId) fail('ERR_EVIDENCE_CHAIN', 'the report names a VLEK but no VLEK came with it');
    return 'VLEK';
  }
  return fail(
    'ERR_EVIDENCE_SIGNATURE',
    `the report names no VCEK or VLEK (signing key ${report.signingKey})`,
  );
}

/** The VCEK/VLEK certifies one TCB (and, for a VCEK, one chip): the report must be from them. */
function checkTcbAndChip(
  report: SnpReport,
  signer: x509.X509Certificate,
  kind: 'VCEK' | 'VLEK',
): { product: string | undefined; turin: boolean; tcb: Tcb } {
  const product = extensionText(signer, OID.product);
  const turin = product
    ? product.startsWith('Turin')
    : report.version >= 3 && report.cpuid[0] === 0x1a;
  const tcb = decodeTcb(report.reportedTcb, turin);
  const oids: Record<TcbField, string> = {
    fmc: OID.fmc,
    bootloader: OID.bootloader,
    tee: OID.tee,
    snp: OID.snp,
    microcode: OID.microcode,
  };
  for (const field of Object.keys(tcb) as TcbField[]) {
    const certified = extensionInteger(signer, oids[field]);
    if (certified !== tcb[field])
      fail('ERR_EVIDENCE_TCB_MISMATCH', `reported_tcb ${field} is not the ${kind}'s`, {
        field,
        reported: tcb[field],
        certified: certified ?? null,
      });
  }
  if (kind === 'VCEK') {
    const hwid = extensionValue(signer, OID.hwid);
    const matches =
      hwid !== undefined &&
      hwid.length > 0 &&
      hwid.length <= 64 &&
      equalBytes(report.chipId.subarray(0, hwid.length), hwid) &&
      report.chipId.subarray(hwid.length).every((b) => b === 0);
    if (!matches) fail('ERR_EVIDENCE_TCB_MISMATCH', "chip_id is not the VCEK's hwID");
  }
  return { product, turin, tcb };
}

export async function appraiseSevSnp(
  evidence: Uint8Array,
  options: AppraisalOptions,
): Promise<AppraisedEvidence> {
  if (options.at === 'document')
    fail(
      'ERR_ATTESTATION_PLATFORM',
      'an SEV-SNP report has no timestamp: give a verification time',
    );
  const at = options.at;
  const { report: bytes, certificates } = splitEvidence(evidence);
  const report = parseReport(bytes);
  // The x509 library parses keys and extensions lazily: a malformed one is a chain refusal.
  const given = [...certificates, ...(options.certificates ?? [])];
  const chain = await chainCheck('SEV-SNP chain', () =>
    verifyChain(given, options.roots ?? [], at),
  );
  const kind = await chainCheck('VCEK/VLEK', () => checkSignerKind(report, chain.signer));
  await verifyReportSignature(report, await signerKey(chain.signer));
  const { product, tcb } = await chainCheck('VCEK/VLEK extensions', () =>
    checkTcbAndChip(report, chain.signer, kind),
  );

  if (options.expectedNonce && !equalBytes(report.reportData, options.expectedNonce))
    fail('ERR_ATTESTATION_NONCE_MISMATCH', 'report_data is not the expected binding');
  const debug = (report.policy & POLICY_DEBUG) !== 0n;
  if (debug && !options.allowDebug)
    fail('ERR_ATTESTATION_DEBUG', 'the guest policy allows debugging (policy bit 19)');
  const measurement = toHex(report.measurement);
  if (options.allowedMeasurements && !options.allowedMeasurements.has(measurement))
    fail('ERR_MEASUREMENT_NOT_ALLOWED', 'MEASUREMENT is not among the reference values', {
      measurement,
    });
  const chipId = report.chipId.some((b) => b !== 0) ? toHex(report.chipId) : undefined;
  return {
    platform: 'sevsnp',
    measurement,
    nonce: report.reportData,
    instanceId: chipId,
    csrHash: undefined,
    policyHash: undefined,
    debug,
    insecure: false,
    timestamp: undefined,
    claims: {
      version: report.version,
      guestSvn: report.guestSvn,
      policy: `0x${report.policy.toString(16)}`,
      vmpl: report.vmpl,
      signingKey: kind,
      product: product ?? null,
      cpuid: report.cpuid.map((n) => `0x${n.toString(16)}`),
      reportedTcb: tcb,
      currentTcb: toHex(report.currentTcb),
      platformInfo: `0x${report.platformInfo.toString(16)}`,
      reportData: toHex(report.reportData),
      measurement,
      hostData: toHex(report.hostData),
      idKeyDigest: toHex(report.idKeyDigest),
      authorKeyDigest: toHex(report.authorKeyDigest),
      reportId: toHex(report.reportId),
      chipId: chipId ?? null,
      signerSubject: chain.signer.subject,
      signerNotAfter: chain.signer.notAfter.toISOString(),
      intermediate: chain.intermediate.subject,
      root: chain.root.subject,
      debug,
      verifiedAt: at.toISOString(),
    },
  };
}

export const sevSnpPlugin: PlatformPlugin = { name: 'sevsnp', appraise: appraiseSevSnp };
