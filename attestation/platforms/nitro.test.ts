import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { pemBlocks } from '../bytes.js';
import { encodeCbor, decodeCbor, Tag } from '../cbor.js';
import { x509, type ErrorCode } from '../../protocol/index.js';
import { appraiseNitro } from './nitro.js';
import type { AppraisalOptions } from './types.js';

const dir = `${sharedTestdata}nitro/`;
const load = (name: string): Uint8Array => {
  const raw = readFileSync(dir + name);
  return name.endsWith('base64')
    ? new Uint8Array(Buffer.from(raw.toString('utf8').trim(), 'base64'))
    : new Uint8Array(raw);
};
const roots = (): Uint8Array[] => pemBlocks(readFileSync(`${dir}nitro.pem`, 'utf8'), 'CERTIFICATE');
const ZERO48 = '0'.repeat(96);
const expectedNonDebug = {
  pcr0: 'f4d48b81a460c9916d1e685119074bf24660afd3e34fae9fca0a0d28d9d5599936332687e6f66fc890ac8cf150142d8b',
  pcr1: 'bcdf05fefccaa8e55bf2c8d6dee9e79bbff31e34bf28a99aa19e6b29c37ee80b214a414b7607236edf26fcb78654e63f',
};

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

function indexOfText(bytes: Uint8Array, text: string): number {
  return Buffer.from(bytes).indexOf(Buffer.from(text));
}

test('real Nitro documents verify at their own timestamps', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const options: AppraisalOptions = { at: 'document', roots: roots(), allowDebug: true };
  const nonDebug = await appraiseNitro(load('valid-attestation-doc-bytes'), {
    ...options,
    allowDebug: false,
  });
  assert.equal(nonDebug.measurement, expectedNonDebug.pcr0);
  assert.equal(nonDebug.debug, false);
  assert.equal(nonDebug.timestamp?.toISOString(), '2022-10-13T08:58:02.136Z');
  const debugDoc = await appraiseNitro(load('debug-mode-attestation-doc-bytes'), options);
  assert.equal(debugDoc.debug, true);
  assert.equal(debugDoc.claims['userData'], Buffer.from('hello, world!').toString('hex'));
  // The expected PCRs of valid_attestation_doc_ga.json: 0, 1, 2 and 8 all zero.
  const ga = JSON.parse(readFileSync(`${dir}valid_attestation_doc_ga.json`, 'utf8')) as {
    pcrs: Record<string, string>;
  };
  const expectedPcrs = new Map(
    Object.entries(ga.pcrs).map(([k, v]) => [Number(k.slice(3)), new Set([v])]),
  );
  const fromBase64 = await appraiseNitro(load('valid-attestation-doc-base64'), {
    ...options,
    expectedPcrs,
  });
  assert.equal(fromBase64.measurement, ZERO48);
  assert.ok(fromBase64.nonce && fromBase64.nonce.length > 0);
});

test('Nitro: tagged COSE_Sign1 is accepted as well as untagged', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const untagged = load('valid-attestation-doc-bytes');
  assert.equal(untagged[0], 0x84);
  const tagged = encodeCbor(new Tag(decodeCbor(untagged), 18));
  const result = await appraiseNitro(tagged, { at: 'document', roots: roots() });
  assert.equal(result.measurement, expectedNonDebug.pcr0);
});

test('Nitro: nonce binding', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const doc = load('valid-attestation-doc-bytes');
  const first = await appraiseNitro(doc, { at: 'document', roots: roots() });
  assert.ok(first.nonce);
  await appraiseNitro(doc, { at: 'document', roots: roots(), expectedNonce: first.nonce });
  await expectCode(
    appraiseNitro(doc, { at: 'document', roots: roots(), expectedNonce: new Uint8Array(32) }),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
  // A document without a nonce never satisfies an expected one.
  await expectCode(
    appraiseNitro(load('debug-mode-attestation-doc-bytes'), {
      at: 'document',
      roots: roots(),
      allowDebug: true,
      expectedNonce: new Uint8Array(32),
    }),
    'ERR_ATTESTATION_NONCE_MISMATCH',
  );
});

test('Nitro refusals each carry their own code', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const doc = load('valid-attestation-doc-bytes');
  const base: AppraisalOptions = { at: 'document', roots: roots() };
  // One flipped byte in the signature, and one in a claim (module_id).
  await expectCode(appraiseNitro(flip(doc, doc.length - 1), base), 'ERR_EVIDENCE_SIGNATURE');
  await expectCode(
    appraiseNitro(flip(doc, indexOfText(doc, 'i-020b6af9') + 3), base),
    'ERR_EVIDENCE_SIGNATURE',
  );
  // Another root.
  await expectCode(
    appraiseNitro(doc, { ...base, roots: [await otherRoot()] }),
    'ERR_EVIDENCE_CHAIN',
  );
  await expectCode(appraiseNitro(doc, { ...base, roots: [] }), 'ERR_EVIDENCE_CHAIN');
  // A time after the leaf expired (the leaf lives about three hours), and wall-clock time today.
  const first = await appraiseNitro(doc, base);
  const after = new Date(Date.parse(String(first.claims['certificateNotAfter'])) + 1000);
  await expectCode(appraiseNitro(doc, { ...base, at: after }), 'ERR_EVIDENCE_CERT_EXPIRED');
  await expectCode(
    appraiseNitro(doc, { ...base, at: new Date('2030-01-01T00:00:00Z') }),
    'ERR_EVIDENCE_CERT_EXPIRED',
  );
  // Wrong expected measurements.
  await expectCode(
    appraiseNitro(doc, { ...base, allowedMeasurements: new Set([ZERO48]) }),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  await expectCode(
    appraiseNitro(doc, { ...base, expectedPcrs: new Map([[1, new Set([expectedNonDebug.pcr0])]]) }),
    'ERR_MEASUREMENT_NOT_ALLOWED',
  );
  // Debug document refused unless allowed.
  await expectCode(
    appraiseNitro(load('debug-mode-attestation-doc-bytes'), base),
    'ERR_ATTESTATION_DEBUG',
  );
  // Not CBOR, truncated, wrong algorithm (a PSA ES256 token).
  await expectCode(appraiseNitro(doc.slice(0, 100), base), 'ERR_EVIDENCE_MALFORMED');
  await expectCode(appraiseNitro(new Uint8Array(70_000), base), 'ERR_EVIDENCE_MALFORMED');
});

test('Nitro: an ES256 token is refused by algorithm', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const psa = new Uint8Array(readFileSync(`${sharedTestdata}psa/psa-2_0_0_sign1.bin`));
  await expectCode(
    appraiseNitro(psa, { at: 'document', roots: roots() }),
    'ERR_EVIDENCE_ALGORITHM',
  );
});

async function otherRoot(): Promise<Uint8Array> {
  const alg = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=aws.nitro-enclaves',
    notBefore: new Date('2019-01-01T00:00:00Z'),
    notAfter: new Date('2049-01-01T00:00:00Z'),
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return new Uint8Array(cert.rawData);
}
