// Verification of an Intel DCAP quote with its collateral, offline, at a given time (the checks of
// Intel's Quote Verification Library, docs/attestation.md):
//   1. the pinned Intel SGX Root CA and its CRL (signed by the root, inside thisUpdate..nextUpdate);
//   2. the PCK chain in the quote (leaf, Platform/Processor CA) to that root, the PCK CRL (signed by
//      the leaf's CA, inside thisUpdate..nextUpdate: the check dcap-qvl lacks), no certificate revoked;
//   3. TCB info and QE identity: Intel SGX TCB Signing chain to the root, not revoked, the signature
//      over the exact JSON bytes, inside issueDate..nextUpdate, for this TEE and this platform (FMSPC,
//      PCE id);
//   4. the QE report signed by the PCK key, its report_data = SHA-256(attestation key || QE auth data),
//      the QE matching its identity (MRSIGNER, ISVPRODID, masked MISCSELECT and ATTRIBUTES, no DEBUG)
//      and its TCB level by ISVSVN;
//   5. the quote (header and body) signed by the attestation key;
//   6. the platform's TCB level: the first level of the TCB info whose SGX components and PCESVN (from
//      the PCK certificate) and, for TDX, TEE_TCB_SVN the platform meets; for TDX the TDX module
//      identity (MRSIGNERSEAM, SEAM attributes, module ISVSVN). The status is the worse of the
//      platform's and the QE's, with their advisories; Revoked or no matching level is a refusal.
import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { x509 } from '../../protocol/index.js';
import { concatBytes, equalBytes, fromHex, pemBlocks, sha256, toHex } from '../bytes.js';
import { DerError, derOid, readTlv, TAG } from '../ca/der.js';
import { fail } from '../errors.js';
import { chainCheck, parseCert, verifyChain } from './cert-chain.js';
import { INTEL_QE_VENDOR_ID, TEE_SGX, type DcapQuote, type SgxReport } from './dcap-quote.js';

/** dcap-qvl's QuoteCollateralV3, as JSON: PEM chains, hex CRLs and signatures, JSON strings. */
export interface DcapCollateral {
  readonly pckCrlIssuerChain: string;
  readonly rootCaCrl: Uint8Array;
  readonly pckCrl: Uint8Array;
  readonly tcbInfoIssuerChain: string;
  /** The exact bytes Intel signed: never re-serialized. */
  readonly tcbInfo: string;
  readonly tcbInfoSignature: Uint8Array;
  readonly qeIdentityIssuerChain: string;
  readonly qeIdentity: string;
  readonly qeIdentitySignature: Uint8Array;
}

const TCB_STATUSES = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
] as const;
type TcbStatus = (typeof TCB_STATUSES)[number];

interface StatusWithAdvisories {
  readonly status: TcbStatus;
  readonly advisoryIds: readonly string[];
}

export interface DcapVerdict extends StatusWithAdvisories {
  readonly platformStatus: StatusWithAdvisories;
  readonly qeStatus: StatusWithAdvisories;
  readonly fmspc: string;
  readonly pceId: string;
  readonly tcbEvaluationDataNumber: number;
  readonly pckSubject: string;
}

function collateralError(message: string): never {
  return fail('ERR_EVIDENCE_COLLATERAL', message);
}

function field(record: Record<string, unknown>, name: string, type: 'string'): string;
function field(record: Record<string, unknown>, name: string, type: 'number'): number;
function field(record: Record<string, unknown>, name: string, type: 'string' | 'number'): unknown {
  const value = record[name];
  if (typeof value !== type || (type === 'number' && !Number.isInteger(value)))
    collateralError(`collateral field ${name} is not a ${type}`);
  return value;
}

function hexField(record: Record<string, unknown>, name: string, length?: number): Uint8Array {
  const text = field(record, name, 'string');
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) collateralError(`collateral field ${name} is not hex`);
  const bytes = fromHex(text);
  if (length !== undefined && bytes.length !== length)
    collateralError(`collateral field ${name} is not ${length} bytes`);
  return bytes;
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    collateralError(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    return asRecord(JSON.parse(text), what);
  } catch (error) {
    if (error instanceof SyntaxError) collateralError(`${what} is not JSON`);
    throw error;
  }
}

/** The collateral file (dcap-qvl's QuoteCollateralV3 JSON). */
export function parseCollateral(text: string): DcapCollateral {
  const json = parseJson(text, 'collateral');
  return {
    pckCrlIssuerChain: field(json, 'pck_crl_issuer_chain', 'string'),
    rootCaCrl: hexField(json, 'root_ca_crl'),
    pckCrl: hexField(json, 'pck_crl'),
    tcbInfoIssuerChain: field(json, 'tcb_info_issuer_chain', 'string'),
    tcbInfo: field(json, 'tcb_info', 'string'),
    tcbInfoSignature: hexField(json, 'tcb_info_signature', 64),
    qeIdentityIssuerChain: field(json, 'qe_identity_issuer_chain', 'string'),
    qeIdentity: field(json, 'qe_identity', 'string'),
    qeIdentitySignature: hexField(json, 'qe_identity_signature', 64),
  };
}

// ---- signatures ----

function p256Key(rawXY: Uint8Array): KeyObject {
  try {
    return createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: Buffer.from(rawXY.subarray(0, 32)).toString('base64url'),
        y: Buffer.from(rawXY.subarray(32, 64)).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    return fail('ERR_EVIDENCE_MALFORMED', 'the attestation key is not a P-256 point');
  }
}

function certKey(cert: x509.X509Certificate, what: string): KeyObject {
  try {
    const key = createPublicKey({
      key: Buffer.from(cert.publicKey.rawData),
      format: 'der',
      type: 'spki',
    });
    if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('not P-256');
    return key;
  } catch {
    return fail('ERR_EVIDENCE_CHAIN', `the ${what} certificate does not hold an EC P-256 key`);
  }
}

/** ECDSA P-256 / SHA-256 over `data` with a raw r || s signature. */
function verifiesRaw(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  return verifySignature('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
}

// ---- certificates and CRLs ----

function certsOf(pem: string, what: string): x509.X509Certificate[] {
  const certs = pemBlocks(pem, 'CERTIFICATE').map(parseCert);
  if (certs.length === 0) fail('ERR_EVIDENCE_CHAIN', `${what} holds no certificate`);
  return certs;
}

/**
 * Verifies a chain given leaf first (as Intel ships it) to the pinned root: a copy of the root in the
 * chain is dropped, and exactly `depth` certificates must remain and chain to it (2 for the PCK leaf
 * and its CA; 1 for a CRL issuer or the TCB signing certificate, which the root issues directly, so
 * that no PCK key can sign collateral).
 */
async function toRoot(
  certs: readonly x509.X509Certificate[],
  root: x509.X509Certificate,
  at: Date,
  what: string,
  depth: 1 | 2,
): Promise<x509.X509Certificate[]> {
  const rootDer = new Uint8Array(root.rawData);
  const issued = certs.filter((c) => !equalBytes(new Uint8Array(c.rawData), rootDer));
  if (issued.length !== depth)
    fail(
      'ERR_EVIDENCE_CHAIN',
      `${what} has ${issued.length} certificates below the root, not ${depth}`,
    );
  const rootFirst = [root, ...issued.reverse()];
  await verifyChain(rootFirst, at).catch((error: unknown) => {
    if (error instanceof Error) error.message = `${what}: ${error.message}`;
    throw error;
  });
  return rootFirst.slice(1).reverse();
}

async function verifiedCrl(
  der: Uint8Array,
  issuer: x509.X509Certificate,
  at: Date,
  what: string,
): Promise<x509.X509Crl> {
  let crl: x509.X509Crl;
  try {
    crl = new x509.X509Crl(der);
  } catch {
    return collateralError(`${what} is not a CRL`);
  }
  if (crl.issuer !== issuer.subject) collateralError(`${what} is not issued by ${issuer.subject}`);
  const verified = await chainCheck(`${what} signature`, () =>
    crl.verify({ publicKey: issuer.publicKey }),
  );
  if (!verified) collateralError(`${what} signature does not verify`);
  const next = crl.nextUpdate;
  if (!next) collateralError(`${what} has no nextUpdate`);
  if (at < crl.thisUpdate || at > next)
    fail('ERR_EVIDENCE_COLLATERAL_EXPIRED', `${what} is not valid at ${at.toISOString()}`, {
      thisUpdate: crl.thisUpdate.toISOString(),
      nextUpdate: next.toISOString(),
    });
  return crl;
}

function checkNotRevoked(crl: x509.X509Crl, cert: x509.X509Certificate, what: string): void {
  if (crl.findRevoked(cert))
    fail('ERR_EVIDENCE_REVOKED', `the ${what} certificate is revoked`, {
      subject: cert.subject,
      serial: cert.serialNumber,
    });
}

// ---- the PCK certificate's SGX extension ----

const SGX_EXTENSION = '1.2.840.113741.1.13.1';
const oidBytes = (oid: string): Uint8Array => readTlv(derOid(oid), 0).value;

interface PckExtension {
  readonly cpuSvn: Uint8Array;
  readonly pceSvn: number;
  readonly pceId: Uint8Array;
  readonly fmspc: Uint8Array;
}

/** The content of a SEQUENCE OF SEQUENCE { OID, value }, as a map from OID bytes (hex) to the value. */
function oidEntries(content: Uint8Array): Map<string, { tag: number; value: Uint8Array }> {
  const out = new Map<string, { tag: number; value: Uint8Array }>();
  for (let offset = 0; offset < content.length;) {
    const item = readTlv(content, offset);
    offset = item.next;
    if (item.tag !== TAG.SEQUENCE) throw new DerError('entry is not a SEQUENCE');
    const oid = readTlv(item.value, 0);
    if (oid.tag !== TAG.OID) throw new DerError('entry without OID');
    const value = readTlv(item.value, oid.next);
    if (value.next !== item.value.length) throw new DerError('entry with trailing bytes');
    const key = toHex(oid.value);
    if (out.has(key)) throw new DerError('duplicate entry');
    out.set(key, { tag: value.tag, value: value.value });
  }
  return out;
}

function entry(
  map: Map<string, { tag: number; value: Uint8Array }>,
  oid: string,
  tag: number,
): Uint8Array {
  const found = map.get(toHex(oidBytes(oid)));
  if (!found || found.tag !== tag) throw new DerError(`no ${oid}`);
  return found.value;
}

function smallUnsigned(bytes: Uint8Array): number {
  if (bytes.length === 0 || bytes.length > 3 || (bytes[0] ?? 0) & 0x80)
    throw new DerError('not a small unsigned INTEGER');
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

function pckExtension(leaf: x509.X509Certificate): PckExtension {
  const extension = leaf.extensions.find((e) => e.type === SGX_EXTENSION);
  if (!extension) fail('ERR_EVIDENCE_CHAIN', 'the PCK certificate has no SGX extension');
  try {
    const value = new Uint8Array(extension.value);
    const outer = readTlv(value, 0);
    if (outer.tag !== TAG.SEQUENCE || outer.next !== value.length)
      throw new DerError('not one SEQUENCE');
    const top = oidEntries(outer.value);
    const tcb = oidEntries(entry(top, `${SGX_EXTENSION}.2`, TAG.SEQUENCE));
    const cpuSvn = entry(tcb, `${SGX_EXTENSION}.2.18`, TAG.OCTET_STRING);
    const pceId = entry(top, `${SGX_EXTENSION}.3`, TAG.OCTET_STRING);
    const fmspc = entry(top, `${SGX_EXTENSION}.4`, TAG.OCTET_STRING);
    if (cpuSvn.length !== 16 || pceId.length !== 2 || fmspc.length !== 6)
      throw new DerError('field length');
    return {
      cpuSvn,
      pceSvn: smallUnsigned(entry(tcb, `${SGX_EXTENSION}.2.17`, TAG.INTEGER)),
      pceId,
      fmspc,
    };
  } catch (error) {
    if (error instanceof DerError)
      fail(
        'ERR_EVIDENCE_CHAIN',
        `the PCK certificate's SGX extension is malformed: ${error.message}`,
      );
    throw error;
  }
}

// ---- TCB info and QE identity ----

function statusOf(value: unknown): TcbStatus {
  if (typeof value !== 'string' || !(TCB_STATUSES as readonly string[]).includes(value))
    collateralError(`unknown TCB status ${String(value)}`);
  return value as TcbStatus;
}

function advisoriesOf(level: Record<string, unknown>): string[] {
  const ids = level['advisoryIDs'];
  if (ids === undefined) return [];
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))
    collateralError('advisoryIDs is not a list of strings');
  return ids as string[];
}

function levelsOf(record: Record<string, unknown>, what: string): Record<string, unknown>[] {
  const levels = record['tcbLevels'];
  if (!Array.isArray(levels) || levels.length === 0) collateralError(`${what} has no tcbLevels`);
  return levels.map((l: unknown) => asRecord(l, `${what} TCB level`));
}

function svnsOf(tcb: Record<string, unknown>, name: string): number[] {
  const components = tcb[name];
  if (!Array.isArray(components) || components.length !== 16)
    collateralError(`TCB level ${name} is not 16 components`);
  return components.map((c: unknown) => field(asRecord(c, name), 'svn', 'number'));
}

function checkWindow(record: Record<string, unknown>, at: Date, what: string): void {
  const issued = new Date(field(record, 'issueDate', 'string'));
  const next = new Date(field(record, 'nextUpdate', 'string'));
  if (Number.isNaN(issued.getTime()) || Number.isNaN(next.getTime()))
    collateralError(`${what} dates are not ISO 8601`);
  if (at < issued || at > next)
    fail('ERR_EVIDENCE_COLLATERAL_EXPIRED', `${what} is not valid at ${at.toISOString()}`, {
      issueDate: issued.toISOString(),
      nextUpdate: next.toISOString(),
    });
}

/** A signed collateral document: chain to the root, not revoked, signature, then parsed and in date. */
async function signedDocument(
  text: string,
  signature: Uint8Array,
  chainPem: string,
  ctx: { root: x509.X509Certificate; rootCrl: x509.X509Crl; at: Date },
  what: string,
): Promise<Record<string, unknown>> {
  const [signer] = await toRoot(
    certsOf(chainPem, `${what} issuer chain`),
    ctx.root,
    ctx.at,
    what,
    1,
  );
  if (!signer) fail('ERR_EVIDENCE_CHAIN', `${what} has no signing certificate`);
  checkNotRevoked(ctx.rootCrl, signer, `${what} signing`);
  if (!verifiesRaw(certKey(signer, `${what} signing`), new TextEncoder().encode(text), signature))
    collateralError(`the ${what} signature does not verify`);
  const record = parseJson(text, what);
  checkWindow(record, ctx.at, what);
  return record;
}

function worse(a: StatusWithAdvisories, b: StatusWithAdvisories): StatusWithAdvisories {
  const rank = (s: TcbStatus): number => TCB_STATUSES.indexOf(s);
  return {
    status: rank(a.status) >= rank(b.status) ? a.status : b.status,
    advisoryIds: [...new Set([...a.advisoryIds, ...b.advisoryIds])],
  };
}

function maskedEqual(actual: Uint8Array, expected: Uint8Array, mask: Uint8Array): boolean {
  return (
    actual.length === mask.length &&
    expected.length === mask.length &&
    actual.every((b, i) => (b & (mask[i] ?? 0)) === ((expected[i] ?? 0) & (mask[i] ?? 0)))
  );
}

const u32le = (n: number): Uint8Array =>
  Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);

function qeStatusOf(qe: SgxReport, identity: Record<string, unknown>): StatusWithAdvisories {
  const refuse = (what: string): never =>
    fail('ERR_EVIDENCE_QE_IDENTITY', `the Quoting Enclave does not match its identity: ${what}`);
  if (!equalBytes(qe.mrSigner, hexField(identity, 'mrsigner', 32))) refuse('MRSIGNER');
  if (qe.isvProdId !== field(identity, 'isvprodid', 'number')) refuse('ISVPRODID');
  const miscMask = hexField(identity, 'miscselectMask', 4);
  if (!maskedEqual(u32le(qe.miscSelect), hexField(identity, 'miscselect', 4), miscMask))
    refuse('MISCSELECT');
  const attrMask = hexField(identity, 'attributesMask', 16);
  if (!maskedEqual(qe.attributes, hexField(identity, 'attributes', 16), attrMask))
    refuse('ATTRIBUTES');
  if ((qe.attributes[0] ?? 0) & 0x02) refuse('DEBUG');
  for (const level of levelsOf(identity, 'QE identity')) {
    const tcb = asRecord(level['tcb'], 'QE TCB level');
    if (qe.isvSvn >= field(tcb, 'isvsvn', 'number'))
      return { status: statusOf(level['tcbStatus']), advisoryIds: advisoriesOf(level) };
  }
  return refuse(`ISVSVN ${qe.isvSvn} is below every TCB level`);
}

function platformStatusOf(
  quote: DcapQuote,
  tcbInfo: Record<string, unknown>,
  pck: PckExtension,
): StatusWithAdvisories {
  const tdx = quote.report.kind === 'td' ? quote.report.body : undefined;
  for (const level of levelsOf(tcbInfo, 'TCB info')) {
    const tcb = asRecord(level['tcb'], 'TCB level');
    if (pck.pceSvn < field(tcb, 'pcesvn', 'number')) continue;
    if (svnsOf(tcb, 'sgxtcbcomponents').some((svn, i) => (pck.cpuSvn[i] ?? 0) < svn)) continue;
    if (tdx && svnsOf(tcb, 'tdxtcbcomponents').some((svn, i) => (tdx.teeTcbSvn[i] ?? 0) < svn))
      continue;
    const status = { status: statusOf(level['tcbStatus']), advisoryIds: advisoriesOf(level) };
    return tdx ? worse(status, tdxModuleStatus(tdx, tcbInfo)) : status;
  }
  return fail('ERR_EVIDENCE_TCB', 'the platform is below every TCB level of the TCB info', {
    fmspc: toHex(pck.fmspc),
    cpuSvn: [...pck.cpuSvn],
    pceSvn: pck.pceSvn,
    ...(tdx ? { teeTcbSvn: [...tdx.teeTcbSvn] } : {}),
  });
}

/** TDX module identity: TDX_<TEE_TCB_SVN[1]> when the module version is not 0, else tdxModule. */
function tdxModuleStatus(
  td: { teeTcbSvn: Uint8Array; mrSignerSeam: Uint8Array; seamAttributes: Uint8Array },
  tcbInfo: Record<string, unknown>,
): StatusWithAdvisories {
  const version = td.teeTcbSvn[1] ?? 0;
  const identities = tcbInfo['tdxModuleIdentities'];
  let identity = asRecord(tcbInfo['tdxModule'], 'tdxModule');
  let levels: Record<string, unknown>[] | undefined;
  if (version > 0 && Array.isArray(identities) && identities.length > 0) {
    const id = `TDX_${version.toString(16).toUpperCase().padStart(2, '0')}`;
    const found = identities
      .map((i: unknown) => asRecord(i, 'tdxModuleIdentities entry'))
      .find((i) => String(i['id']).toUpperCase() === id);
    if (!found) fail('ERR_EVIDENCE_TCB', `the TCB info has no TDX module identity ${id}`);
    identity = found;
    levels = levelsOf(found, id);
  }
  if (!equalBytes(td.mrSignerSeam, hexField(identity, 'mrsigner', 48)))
    fail('ERR_EVIDENCE_TCB', 'the TDX module MRSIGNERSEAM is not the expected one');
  const mask = hexField(identity, 'attributesMask', 8);
  if (!maskedEqual(td.seamAttributes, hexField(identity, 'attributes', 8), mask))
    fail('ERR_EVIDENCE_TCB', 'the TDX module SEAM attributes are not the expected ones');
  if (!levels) return { status: 'UpToDate', advisoryIds: [] };
  const isvSvn = td.teeTcbSvn[0] ?? 0;
  for (const level of levels) {
    if (isvSvn >= field(asRecord(level['tcb'], 'TDX module TCB level'), 'isvsvn', 'number'))
      return { status: statusOf(level['tcbStatus']), advisoryIds: advisoriesOf(level) };
  }
  return fail('ERR_EVIDENCE_TCB', `the TDX module ISVSVN ${isvSvn} is below every TCB level`);
}

// ---- the whole verification ----

export async function verifyDcapQuote(
  quote: DcapQuote,
  collateral: DcapCollateral,
  roots: readonly Uint8Array[],
  at: Date,
): Promise<DcapVerdict> {
  const sgx = quote.teeType === TEE_SGX;
  if (toHex(quote.qeVendorId) !== INTEL_QE_VENDOR_ID)
    fail('ERR_EVIDENCE_MALFORMED', 'the quote is not from an Intel Quoting Enclave');
  // 1. The root must be pinned (the quote's own copy is only used after matching it).
  const pinned = roots.map(parseCert);
  const quoteCerts = certsOf(quote.pckChainPem, 'the quote PCK chain');
  const quoteRoot = quoteCerts[quoteCerts.length - 1] as x509.X509Certificate;
  // A self-signed last certificate is the quote's copy of the root: it must be a pinned one.
  const root =
    quoteRoot.subject === quoteRoot.issuer
      ? pinned.find((r) => equalBytes(new Uint8Array(r.rawData), new Uint8Array(quoteRoot.rawData)))
      : pinned.find((r) => r.subject === quoteRoot.issuer);
  if (!root) fail('ERR_EVIDENCE_CHAIN', 'the PCK chain does not lead to a pinned root');
  await verifyChain([root], at);

  // 2. The PCK chain, the CRLs (the root's, and the PCK CRL issued by the leaf's CA), revocation.
  const [leaf, pckCa] = await toRoot(quoteCerts, root, at, 'the quote PCK chain', 2);
  const rootCrl = await verifiedCrl(collateral.rootCaCrl, root, at, 'the root CA CRL');
  const ctx = { root, rootCrl, at };
  if (!leaf || !pckCa) fail('ERR_EVIDENCE_CHAIN', 'the PCK chain lacks its CA certificate');
  checkNotRevoked(rootCrl, pckCa, 'PCK CA');
  const [crlIssuer] = await toRoot(
    certsOf(collateral.pckCrlIssuerChain, 'the PCK CRL issuer chain'),
    root,
    at,
    'the PCK CRL issuer chain',
    1,
  );
  if (!crlIssuer || !equalBytes(new Uint8Array(crlIssuer.rawData), new Uint8Array(pckCa.rawData)))
    collateralError("the PCK CRL issuer is not the PCK certificate's CA");
  const pckCrl = await verifiedCrl(collateral.pckCrl, pckCa, at, 'the PCK CRL');
  checkNotRevoked(pckCrl, leaf, 'PCK');
  const pck = pckExtension(leaf);

  // 3. TCB info and QE identity.
  const tcbInfo = await signedDocument(
    collateral.tcbInfo,
    collateral.tcbInfoSignature,
    collateral.tcbInfoIssuerChain,
    ctx,
    'TCB info',
  );
  const tcbId = field(tcbInfo, 'id', 'string');
  const tcbVersion = field(tcbInfo, 'version', 'number');
  if (tcbId !== (sgx ? 'SGX' : 'TDX') || tcbVersion !== 3)
    collateralError(
      `TCB info ${tcbId} version ${tcbVersion} is not for this ${sgx ? 'SGX' : 'TDX'} quote`,
    );
  if (!equalBytes(hexField(tcbInfo, 'fmspc', 6), pck.fmspc))
    collateralError(
      `the TCB info is for FMSPC ${String(tcbInfo['fmspc'])}, not ${toHex(pck.fmspc)}`,
    );
  if (!equalBytes(hexField(tcbInfo, 'pceId', 2), pck.pceId))
    collateralError('the TCB info is for another PCE id');
  const qeIdentity = await signedDocument(
    collateral.qeIdentity,
    collateral.qeIdentitySignature,
    collateral.qeIdentityIssuerChain,
    ctx,
    'QE identity',
  );
  const qeId = field(qeIdentity, 'id', 'string');
  if (qeId !== (sgx ? 'QE' : 'TD_QE') || field(qeIdentity, 'version', 'number') !== 2)
    collateralError(`QE identity ${qeId} is not for this ${sgx ? 'SGX' : 'TDX'} quote`);

  // 4. The QE report: signed by the PCK key, certifying the attestation key, matching its identity.
  if (!verifiesRaw(certKey(leaf, 'PCK'), quote.qeReportBytes, quote.qeReportSignature))
    fail('ERR_EVIDENCE_SIGNATURE', 'the QE report signature does not verify with the PCK key');
  const expected = concatBytes(
    sha256(concatBytes(quote.attestationKey, quote.qeAuthData)),
    new Uint8Array(32),
  );
  if (!equalBytes(quote.qeReport.reportData, expected))
    fail('ERR_EVIDENCE_SIGNATURE', 'the QE report does not certify the attestation key');
  const qeStatus = qeStatusOf(quote.qeReport, qeIdentity);

  // 5. The quote itself.
  if (!verifiesRaw(p256Key(quote.attestationKey), quote.signedBytes, quote.signature))
    fail('ERR_EVIDENCE_SIGNATURE', 'the quote signature does not verify with the attestation key');

  // 6. The platform's TCB level.
  const platformStatus = platformStatusOf(quote, tcbInfo, pck);
  const final = worse(platformStatus, qeStatus);
  if (final.status === 'Revoked') fail('ERR_EVIDENCE_TCB', 'the TCB status is Revoked');
  return {
    ...final,
    platformStatus,
    qeStatus,
    fmspc: toHex(pck.fmspc),
    pceId: toHex(pck.pceId),
    tcbEvaluationDataNumber: field(tcbInfo, 'tcbEvaluationDataNumber', 'number'),
    pckSubject: leaf.subject,
  };
}
