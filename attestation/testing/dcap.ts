// Synthetic Intel DCAP evidence for tests: our own "Intel SGX Root CA" stand-in, PCK CA and PCK
// leaf (with the SGX extension), TCB signing certificate, CRLs, signed TCB info and QE identity, and
// quotes in the real formats (SGX v3, TDX v4) signed by test keys. Lets tests drive a full
// attestation (the real quotes carry fixed report data) and plant each refusal. Not used by
// production code.
import { webcrypto } from 'node:crypto';
import { x509 } from '../../protocol/index.js';
import { concatBytes, sha256, toHex } from '../bytes.js';
import { derOctets, derOid, derSequence, derUnsigned, tlv } from '../ca/der.js';
import { INTEL_QE_VENDOR_ID } from '../platforms/dcap-quote.js';
import { encodeDcapEvidence } from '../platforms/tdx.js';

type Pair = webcrypto.CryptoKeyPair;
const P256 = { name: 'ECDSA', namedCurve: 'P-256' };
const ES256 = { name: 'ECDSA', hash: 'SHA-256' };
const SGX = '1.2.840.113741.1.13.1';
const DAY = 86400_000;
const FMSPC = '00906ed50000';
const QE_MRSIGNER = 'ab'.repeat(32);

const keyPair = async (): Promise<Pair> =>
  (await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify'])) as Pair;
const signRaw = async (key: webcrypto.CryptoKey, data: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(await webcrypto.subtle.sign(ES256, key, data));
const u16 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, n >> 8);
const u32 = (n: number): Uint8Array =>
  Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
const bytes = (n: number, fill = 0): Uint8Array => new Uint8Array(n).fill(fill);

export interface DcapPki {
  readonly root: x509.X509Certificate;
  readonly now: Date;
  readonly rootKey: Pair;
  readonly pckCa: x509.X509Certificate;
  readonly pckCaKey: Pair;
  readonly pckLeaf: x509.X509Certificate;
  readonly pckKey: Pair;
  readonly tcbSigner: x509.X509Certificate;
  readonly tcbKey: Pair;
}

function sgxExtension(cpuSvn: readonly number[], pceSvn: number): Uint8Array {
  const entry = (oid: string, value: Uint8Array): Uint8Array => derSequence(derOid(oid), value);
  const components = cpuSvn.map((svn, i) =>
    entry(`${SGX}.2.${i + 1}`, derUnsigned(Uint8Array.of(svn))),
  );
  return derSequence(
    entry(`${SGX}.1`, derOctets(bytes(16, 1))),
    entry(
      `${SGX}.2`,
      derSequence(
        ...components,
        entry(`${SGX}.2.17`, derUnsigned(Uint8Array.of(pceSvn >> 8, pceSvn & 0xff))),
        entry(`${SGX}.2.18`, derOctets(Uint8Array.from(cpuSvn))),
      ),
    ),
    entry(`${SGX}.3`, derOctets(bytes(2))),
    entry(`${SGX}.4`, derOctets(Uint8Array.from(Buffer.from(FMSPC, 'hex')))),
    entry(`${SGX}.5`, tlv(0x0a, Uint8Array.of(0))),
  );
}

async function issue(
  subject: string,
  issuer: { name: string; key: Pair },
  key: Pair,
  now: Date,
  ca: boolean,
  extra: x509.Extension[] = [],
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    serialNumber: `01${toHex(sha256(subject).subarray(0, 8))}`,
    subject,
    issuer: issuer.name,
    notBefore: new Date(now.getTime() - 365 * DAY),
    notAfter: new Date(now.getTime() + 365 * DAY),
    publicKey: key.publicKey as never,
    signingKey: issuer.key.privateKey as never,
    signingAlgorithm: ES256,
    extensions: [new x509.BasicConstraintsExtension(ca, undefined, true), ...extra],
  });
}

/** A test PKI; the PCK leaf states SGX TCB components `cpuSvn` (default all 2) and PCESVN 11. */
export async function createDcapPki(
  now: Date,
  cpuSvn: readonly number[] = Array(16).fill(2),
): Promise<DcapPki> {
  const rootKey = await keyPair();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Test SGX Root CA, O=Veracruz-TS tests',
    notBefore: new Date(now.getTime() - 365 * DAY),
    notAfter: new Date(now.getTime() + 3650 * DAY),
    keys: rootKey as never,
    signingAlgorithm: ES256,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const rootIssuer = { name: root.subject, key: rootKey };
  const pckCaKey = await keyPair();
  const pckCa = await issue('CN=Test SGX PCK Platform CA', rootIssuer, pckCaKey, now, true);
  const pckKey = await keyPair();
  const pckLeaf = await issue(
    'CN=Test SGX PCK Certificate',
    { name: pckCa.subject, key: pckCaKey },
    pckKey,
    now,
    false,
    [new x509.Extension(SGX, false, sgxExtension(cpuSvn, 11))],
  );
  const tcbKey = await keyPair();
  const tcbSigner = await issue('CN=Test SGX TCB Signing', rootIssuer, tcbKey, now, false);
  return { root, now, rootKey, pckCa, pckCaKey, pckLeaf, pckKey, tcbSigner, tcbKey };
}

export interface DcapQuoteSpec {
  readonly platform: 'tdx' | 'sgx';
  /** 64 bytes. */
  readonly reportData: Uint8Array;
  readonly debug?: boolean;
  /** MRTD (48 bytes, TDX) or MRENCLAVE (32 bytes, SGX), filled with this byte. */
  readonly measurementByte?: number;
  /** RTMR0..3 filled with this byte (TDX). */
  readonly rtmrByte?: number;
  /** The status of the TCB info's one level (default UpToDate). */
  readonly tcbStatus?: string;
  readonly revokePck?: boolean;
  /** The QE's MRSIGNER (default the one its identity states). */
  readonly qeMrSigner?: string;
  /** Who signs the TCB info and QE identity: the TCB signing key (default) or the PCK key. */
  readonly collateralSigner?: 'tcb' | 'pck';
}

function sgxReport(f: {
  attributes: Uint8Array;
  mrEnclave: Uint8Array;
  mrSigner: Uint8Array;
  isvProdId: number;
  isvSvn: number;
  reportData: Uint8Array;
}): Uint8Array {
  return concatBytes(
    bytes(16, 2),
    u32(0),
    bytes(28),
    f.attributes,
    f.mrEnclave,
    bytes(32),
    f.mrSigner,
    bytes(96),
    u16(f.isvProdId),
    u16(f.isvSvn),
    bytes(60),
    f.reportData,
  );
}

function tdReport(spec: DcapQuoteSpec): Uint8Array {
  const tdAttributes = bytes(8);
  tdAttributes[0] = spec.debug ? 1 : 0;
  tdAttributes[3] = 0x10; // SEPT_VE_DISABLE
  const rtmr = bytes(48, spec.rtmrByte ?? 0x33);
  return concatBytes(
    Uint8Array.of(2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), // module ISVSVN 2, version 1
    bytes(48, 0x5e), // MRSEAM
    bytes(48), // MRSIGNERSEAM: Intel's is all zero
    bytes(8), // SEAM attributes
    tdAttributes,
    bytes(8, 0xe7), // XFAM
    bytes(48, spec.measurementByte ?? 0x07), // MRTD
    bytes(48),
    bytes(48),
    bytes(48),
    rtmr,
    rtmr,
    rtmr,
    rtmr,
    spec.reportData,
  );
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function tcbInfo(platform: 'tdx' | 'sgx', now: Date, status: string): string {
  const svns = (n: number) => Array.from({ length: 16 }, () => ({ svn: n }));
  const level = {
    tcb: {
      sgxtcbcomponents: svns(2),
      pcesvn: 11,
      ...(platform === 'tdx' ? { tdxtcbcomponents: svns(0) } : {}),
    },
    tcbDate: '2024-01-01T00:00:00Z',
    tcbStatus: status,
    ...(status === 'UpToDate' ? {} : { advisoryIDs: ['INTEL-SA-00000'] }),
  };
  const module = {
    mrsigner: '00'.repeat(48),
    attributes: '00'.repeat(8),
    attributesMask: 'FF'.repeat(8),
  };
  return JSON.stringify({
    id: platform === 'tdx' ? 'TDX' : 'SGX',
    version: 3,
    issueDate: iso(new Date(now.getTime() - DAY)),
    nextUpdate: iso(new Date(now.getTime() + 29 * DAY)),
    fmspc: FMSPC.toUpperCase(),
    pceId: '0000',
    tcbType: 0,
    tcbEvaluationDataNumber: 1,
    ...(platform === 'tdx'
      ? {
          tdxModule: module,
          tdxModuleIdentities: [
            {
              id: 'TDX_01',
              ...module,
              tcbLevels: [
                { tcb: { isvsvn: 2 }, tcbDate: '2024-01-01T00:00:00Z', tcbStatus: 'UpToDate' },
              ],
            },
          ],
        }
      : {}),
    tcbLevels: [level],
  });
}

function qeIdentity(platform: 'tdx' | 'sgx', now: Date): string {
  return JSON.stringify({
    id: platform === 'tdx' ? 'TD_QE' : 'QE',
    version: 2,
    issueDate: iso(new Date(now.getTime() - DAY)),
    nextUpdate: iso(new Date(now.getTime() + 29 * DAY)),
    tcbEvaluationDataNumber: 1,
    miscselect: '00000000',
    miscselectMask: 'FFFFFFFF',
    attributes: '11000000000000000000000000000000',
    attributesMask: 'FBFFFFFFFFFFFFFF0000000000000000',
    mrsigner: QE_MRSIGNER.toUpperCase(),
    isvprodid: 2,
    tcbLevels: [{ tcb: { isvsvn: 4 }, tcbDate: '2024-01-01T00:00:00Z', tcbStatus: 'UpToDate' }],
  });
}

/** A quote in the real format (TDX v4 or SGX v3) and its collateral, as the verifier takes them. */
export async function createDcapEvidence(
  pki: DcapPki,
  spec: DcapQuoteSpec,
): Promise<{
  quote: Uint8Array;
  collateral: string;
  evidence: Uint8Array;
}> {
  const tdx = spec.platform === 'tdx';
  const header = concatBytes(
    u16(tdx ? 4 : 3),
    u16(2),
    u32(tdx ? 0x81 : 0),
    u16(0),
    u16(0),
    Uint8Array.from(Buffer.from(INTEL_QE_VENDOR_ID, 'hex')),
    bytes(20),
  );
  const attributes = bytes(16);
  attributes[0] = spec.debug ? 0x07 : 0x05;
  const body = tdx
    ? tdReport(spec)
    : sgxReport({
        attributes,
        mrEnclave: bytes(32, spec.measurementByte ?? 0x07),
        mrSigner: bytes(32, 0x81),
        isvProdId: 0,
        isvSvn: 0,
        reportData: spec.reportData,
      });
  const attKey = await keyPair();
  const attPublic = new Uint8Array(
    await webcrypto.subtle.exportKey('raw', attKey.publicKey),
  ).subarray(1);
  const authData = bytes(32, 0xaa);
  const qeReport = sgxReport({
    attributes: Uint8Array.from(Buffer.from('11000000000000000000000000000000', 'hex')),
    mrEnclave: bytes(32, 0x0e),
    mrSigner: Uint8Array.from(Buffer.from(spec.qeMrSigner ?? QE_MRSIGNER, 'hex')),
    isvProdId: 2,
    isvSvn: 4,
    reportData: concatBytes(sha256(concatBytes(attPublic, authData)), bytes(32)),
  });
  const pem = new TextEncoder().encode(
    [pki.pckLeaf, pki.pckCa, pki.root].map((c) => c.toString('pem')).join('\n'),
  );
  const qeCertData = concatBytes(
    qeReport,
    await signRaw(pki.pckKey.privateKey, qeReport),
    u16(authData.length),
    authData,
    u16(5),
    u32(pem.length),
    pem,
  );
  const signed = concatBytes(header, body);
  const signature = await signRaw(attKey.privateKey, signed);
  const sigData = tdx
    ? concatBytes(signature, attPublic, u16(6), u32(qeCertData.length), qeCertData)
    : concatBytes(signature, attPublic, qeCertData);
  const quote = concatBytes(signed, u32(sigData.length), sigData);

  const now = pki.now;
  const crl = async (issuer: x509.X509Certificate, key: Pair, revoked: x509.X509Certificate[]) =>
    toHex(
      new Uint8Array(
        (
          await x509.X509CrlGenerator.create({
            issuer: issuer.subject,
            thisUpdate: new Date(now.getTime() - DAY),
            nextUpdate: new Date(now.getTime() + 29 * DAY),
            signingKey: key.privateKey as never,
            signingAlgorithm: ES256,
            entries: revoked.map((c) => ({ serialNumber: c.serialNumber, revocationDate: now })),
          })
        ).rawData,
      ),
    );
  const tcbText = tcbInfo(spec.platform, now, spec.tcbStatus ?? 'UpToDate');
  const qeText = qeIdentity(spec.platform, now);
  const enc = (text: string) => new TextEncoder().encode(text);
  const byPck = spec.collateralSigner === 'pck';
  const tcbChain = (byPck ? [pki.pckLeaf, pki.pckCa, pki.root] : [pki.tcbSigner, pki.root])
    .map((c) => c.toString('pem'))
    .join('\n');
  const signer = byPck ? pki.pckKey : pki.tcbKey;
  const collateral = JSON.stringify({
    pck_crl_issuer_chain: [pki.pckCa, pki.root].map((c) => c.toString('pem')).join('\n'),
    root_ca_crl: await crl(pki.root, pki.rootKey, []),
    pck_crl: await crl(pki.pckCa, pki.pckCaKey, spec.revokePck ? [pki.pckLeaf] : []),
    tcb_info_issuer_chain: tcbChain,
    tcb_info: tcbText,
    tcb_info_signature: toHex(await signRaw(signer.privateKey, enc(tcbText))),
    qe_identity_issuer_chain: tcbChain,
    qe_identity: qeText,
    qe_identity_signature: toHex(await signRaw(signer.privateKey, enc(qeText))),
  });
  return { quote, collateral, evidence: encodeDcapEvidence(quote, collateral) };
}
