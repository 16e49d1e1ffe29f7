// A synthetic AMD SEV-SNP PKI for tests: our own ARK and ASK (RSASSA-PSS SHA-384, salt 48, as AMD's;
// 2048-bit to keep tests quick), a VCEK (EC P-384, serial 0, AMD's TCB/product/hwID extensions) and
// attestation reports in the firmware's 1184-byte layout signed by it, so that checks the real
// reports cannot reach (TCB and chip id mismatches, report_data binding, debug policy) are driven
// with evidence in the real format. Not used by production code.
import { webcrypto } from 'node:crypto';
import { tlv } from '../ca/der.js';
import { concatBytes } from '../bytes.js';
import { x509 } from '../../protocol/index.js';

type Pair = webcrypto.CryptoKeyPair;
const PSS = { name: 'RSA-PSS', hash: 'SHA-384', saltLength: 48 };
const ES384 = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };

export interface SnpTcb {
  readonly fmc?: number;
  readonly bootloader: number;
  readonly tee: number;
  readonly snp: number;
  readonly microcode: number;
}

export interface SnpPki {
  readonly ark: x509.X509Certificate;
  readonly arkKey: Pair;
  readonly ask: x509.X509Certificate;
  readonly vcek: x509.X509Certificate;
  readonly vcekKey: Pair;
}

export interface VcekOptions {
  readonly product?: string;
  readonly tcb?: SnpTcb;
  /** hwID extension (64 bytes for Milan/Genoa, 8 for Turin); omitted when null. */
  readonly hwid?: Uint8Array | null;
  /** CSP-ID extension: makes the certificate a VLEK. */
  readonly cspId?: string;
  readonly notAfter?: Date;
}

export const TEST_CHIP_ID = new Uint8Array(64).fill(0xc1);
export const TEST_TCB: SnpTcb = { bootloader: 3, tee: 0, snp: 8, microcode: 209 };

/** A DER INTEGER from a small non-negative number (a leading zero when the top bit is set). */
function derInteger(value: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = value; bytes.length === 0 || v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

const ia5 = (text: string): Uint8Array => tlv(0x16, new TextEncoder().encode(text));
const ext = (oid: string, value: Uint8Array): x509.Extension =>
  new x509.Extension(oid, false, value);

function amdExtensions(options: VcekOptions): x509.Extension[] {
  const tcb = options.tcb ?? TEST_TCB;
  const out = [
    ext('1.3.6.1.4.1.3704.1.2', ia5(options.product ?? 'Milan-B0')),
    ext('1.3.6.1.4.1.3704.1.3.1', derInteger(tcb.bootloader)),
    ext('1.3.6.1.4.1.3704.1.3.2', derInteger(tcb.tee)),
    ext('1.3.6.1.4.1.3704.1.3.3', derInteger(tcb.snp)),
    ext('1.3.6.1.4.1.3704.1.3.8', derInteger(tcb.microcode)),
  ];
  if (tcb.fmc !== undefined) out.push(ext('1.3.6.1.4.1.3704.1.3.9', derInteger(tcb.fmc)));
  const hwid = options.hwid === undefined ? TEST_CHIP_ID : options.hwid;
  if (hwid) out.push(ext('1.3.6.1.4.1.3704.1.4', hwid));
  if (options.cspId) out.push(ext('1.3.6.1.4.1.3704.1.5', ia5(options.cspId)));
  return out;
}

const name = (cn: string): string =>
  `CN=${cn}, O=Test Micro Devices, OU=Engineering, L=Santa Clara, ST=CA, C=US`;

async function rsaPair(): Promise<Pair> {
  return (await webcrypto.subtle.generateKey(
    { ...PSS, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  )) as Pair;
}

/** ARK and ASK valid a year around `now`, and a VCEK (or VLEK, with `cspId`) under them. */
export async function createSnpPki(now: Date, options: VcekOptions = {}): Promise<SnpPki> {
  const arkKey = await rsaPair();
  const askKey = await rsaPair();
  const vcekKey = (await webcrypto.subtle.generateKey(ES384, true, ['sign', 'verify'])) as Pair;
  const notBefore = new Date(now.getTime() - 86400_000);
  const notAfter = new Date(now.getTime() + 365 * 86400_000);
  const ca = [new x509.BasicConstraintsExtension(true, undefined, true)];
  const ark = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '010000',
    name: name('ARK-Test'),
    notBefore,
    notAfter,
    keys: arkKey as never,
    signingAlgorithm: PSS,
    extensions: ca,
  });
  const ask = await x509.X509CertificateGenerator.create({
    serialNumber: '010001',
    subject: name(options.cspId ? 'SEV-VLEK-Test' : 'SEV-Test'),
    issuer: ark.subject,
    notBefore,
    notAfter,
    publicKey: askKey.publicKey as never,
    signingKey: arkKey.privateKey as never,
    signingAlgorithm: PSS,
    extensions: ca,
  });
  const vcek = await x509.X509CertificateGenerator.create({
    serialNumber: '00',
    subject: name(options.cspId ? 'SEV-VLEK' : 'SEV-VCEK'),
    issuer: ask.subject,
    notBefore,
    notAfter: options.notAfter ?? notAfter,
    publicKey: vcekKey.publicKey as never,
    signingKey: askKey.privateKey as never,
    signingAlgorithm: PSS,
    extensions: amdExtensions(options),
  });
  return { ark, arkKey, ask, vcek, vcekKey };
}

export interface SnpReportFields {
  readonly version?: number;
  readonly policy?: bigint;
  readonly signatureAlgo?: number;
  /** signer_info SIGNING_KEY: 0 VCEK, 1 VLEK, 7 none. */
  readonly signingKey?: number;
  readonly reportData?: Uint8Array;
  readonly measurement?: Uint8Array;
  /** The eight reported_tcb bytes as the firmware lays them out. */
  readonly reportedTcb?: Uint8Array;
  readonly cpuid?: readonly [number, number, number];
  readonly chipId?: Uint8Array;
}

/** reported_tcb bytes: Milan/Genoa [bl, tee, 0,0,0,0, snp, ucode]; Turin [fmc, bl, tee, snp, 0,0,0, ucode]. */
export function tcbBytes(tcb: SnpTcb, turin = false): Uint8Array {
  return turin
    ? Uint8Array.of(tcb.fmc ?? 0, tcb.bootloader, tcb.tee, tcb.snp, 0, 0, 0, tcb.microcode)
    : Uint8Array.of(tcb.bootloader, tcb.tee, 0, 0, 0, 0, tcb.snp, tcb.microcode);
}

/** A 1184-byte report signed by the VCEK: r and s little-endian in 72-byte fields. */
export async function signSnpReport(pki: SnpPki, fields: SnpReportFields): Promise<Uint8Array> {
  const report = new Uint8Array(0x4a0);
  const view = new DataView(report.buffer);
  view.setUint32(0x00, fields.version ?? 5, true);
  view.setBigUint64(0x08, fields.policy ?? 0x30000n, true);
  view.setUint32(0x34, fields.signatureAlgo ?? 1, true);
  const tcb = fields.reportedTcb ?? tcbBytes(TEST_TCB);
  report.set(tcb, 0x38); // current_tcb
  view.setUint32(0x48, (fields.signingKey ?? 0) << 2, true);
  report.set(fields.reportData ?? new Uint8Array(64), 0x50);
  report.set(fields.measurement ?? new Uint8Array(48).fill(7), 0x90);
  report.set(tcb, 0x180);
  report.set(fields.cpuid ?? [0x19, 0x01, 0x01], 0x188);
  report.set(fields.chipId ?? TEST_CHIP_ID, 0x1a0);
  return resignSnpReport(pki, report);
}

/** Signs bytes 0..0x2A0 of a report (at least 1184 bytes) with the VCEK, in place. */
export async function resignSnpReport(pki: SnpPki, report: Uint8Array): Promise<Uint8Array> {
  const signature = new Uint8Array(
    await webcrypto.subtle.sign(ES384, pki.vcekKey.privateKey, report.subarray(0, 0x2a0)),
  );
  report.fill(0, 0x2a0, 0x4a0);
  report.set(signature.slice(0, 48).reverse(), 0x2a0);
  report.set(signature.slice(48).reverse(), 0x2a0 + 72);
  return report;
}

/** An extended report: the report followed by the VCEK and ASK (DER). */
export function withCertificates(report: Uint8Array, pki: SnpPki): Uint8Array {
  return concatBytes(report, new Uint8Array(pki.vcek.rawData), new Uint8Array(pki.ask.rawData));
}
