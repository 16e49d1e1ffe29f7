// The test vectors printed in docs/protocol.md ("Test vectors", written by
// scripts/generate-envelope-vectors.ts) hold for today's code, and follow the page's own rules, so a
// client in another language can debug against them value by value: each signature verifies over
// `unsigned` (with webcrypto directly, and through openEnvelope), the envelope is `unsigned` with
// 0x88 and the `sig` entry, the sender id derives from the key or certificate, and each sealed chunk
// opens both with the stream key, nonce and AAD recomputed from the page's formulas and with
// transport/sealing.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, createECDH, createHash, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from '@hpke/core';
import { certificateSenderId, keySenderId, resultBulkStream } from '../actors/index.js';
import {
  LIVENESS_SCHEMAS,
  subjectsFor,
  isVcError,
  parseCertificateDer,
} from '../protocol/index.js';
import { openEnvelope } from './envelope.js';
import { protocolKinds } from './kinds.js';
import { decodePlain, encodePlain } from './plain-msgpack.js';
import { StreamOpener, infoOf, type SealContext } from './sealing.js';

const page = readFileSync(new URL('../docs/protocol.md', import.meta.url), 'utf8');
const section = page.slice(page.indexOf('<!-- vectors:begin'), page.indexOf('<!-- vectors:end'));
const vectors = [...section.matchAll(/```text\n([\s\S]*?)```/g)].map(
  (m) =>
    new Map(
      (m[1] as string)
        .trim()
        .split('\n')
        .map((line) => {
          const at = line.indexOf(': ');
          return [line.slice(0, at), line.slice(at + 2)] as [string, string];
        }),
    ),
);
const field = (v: Map<string, string>, name: string): string => {
  const value = v.get(name);
  assert.ok(value !== undefined, `${v.get('vector')}: no ${name}`);
  return value;
};
const bytes = (v: Map<string, string>, name: string): Uint8Array =>
  Uint8Array.from(Buffer.from(field(v, name), 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromJson = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(fromJson)
    : v && typeof v === 'object'
      ? '$bytes' in v
        ? Uint8Array.from(Buffer.from((v as { $bytes: string }).$bytes, 'hex'))
        : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromJson(x)]))
      : v;

const signedVectors = vectors.filter((v) => v.has('signature'));
const sealedVectors = vectors.filter((v) => v.has('sealed'));

/** The verification key from its raw form: 32 bytes Ed25519, 65 bytes a P-256 point. */
async function importRaw(raw: Uint8Array): Promise<webcrypto.CryptoKey> {
  const alg =
    raw.length === 32 ? { name: 'Ed25519' } : ({ name: 'ECDSA', namedCurve: 'P-256' } as const);
  return webcrypto.subtle.importKey('raw', raw, alg, true, ['verify']);
}

test('docs/protocol.md prints vectors of signing, sealing and liveness', () => {
  assert.ok(signedVectors.length >= 2, 'signed envelopes');
  assert.ok(sealedVectors.length >= 2, 'sealed chunks');
  assert.ok(
    vectors.some((v) => v.has('answer')),
    'a liveness answer',
  );
  assert.deepEqual(
    new Set(signedVectors.map((v) => field(v, 'key').length)),
    new Set([64, 130]),
    'an Ed25519 and a P-256 sender',
  );
});

test('each signed vector verifies over its unsigned bytes and decodes to its fields', async () => {
  for (const v of signedVectors) {
    const name = field(v, 'vector');
    const key = await importRaw(bytes(v, 'key'));
    const from = field(v, 'from');
    if (v.has('certificate')) {
      const der = bytes(v, 'certificate');
      assert.equal(from, certificateSenderId(der), `${name}: c: + SHA-256 of the certificate DER`);
      const spki = new Uint8Array(parseCertificateDer(der).publicKey.rawData);
      const certified = await webcrypto.subtle.importKey('spki', spki, key.algorithm, true, [
        'verify',
      ]);
      assert.equal(
        hex(new Uint8Array(await webcrypto.subtle.exportKey('raw', certified))),
        field(v, 'key'),
      );
    } else {
      const point = bytes(v, 'key');
      const compressed = [2 + ((point[64] as number) & 1), ...point.subarray(1, 33)];
      assert.equal(from, `k:${hex(Uint8Array.from(compressed))}`, `${name}: k: + compressed point`);
      assert.equal(from, await keySenderId(key), name);
    }
    const unsigned = bytes(v, 'unsigned');
    const envelope = bytes(v, 'envelope');
    const signature = bytes(v, 'signature');
    assert.equal(unsigned[0], 0x87, name);
    assert.equal(envelope[0], 0x88, name);
    assert.deepEqual(
      envelope,
      Uint8Array.from([
        0x88,
        ...unsigned.subarray(1),
        ...[0xa3, 0x73, 0x69, 0x67, 0xc4, 0x40],
        ...signature,
      ]),
      `${name}: envelope = 0x88 || E || "sig" || c4 40 || signature`,
    );
    const alg =
      key.algorithm.name === 'Ed25519' ? key.algorithm : { name: 'ECDSA', hash: 'SHA-256' };
    assert.ok(await webcrypto.subtle.verify(alg, key, signature, unsigned), `${name}: signature`);
    const opened = await openEnvelope(envelope, {
      keys: (id) => (id === from ? key : undefined),
      kinds: protocolKinds(),
    });
    assert.deepEqual(
      [opened.v, opened.kind, opened.computation, opened.from, opened.seq, opened.ts],
      [1, field(v, 'kind'), field(v, 'computation'), from, +field(v, 'seq'), +field(v, 'ts')],
      name,
    );
    assert.deepEqual(opened.body, fromJson(JSON.parse(field(v, 'body.json'))), name);
    assert.equal(hex(encodePlain(opened.body)), field(v, 'body'), name);
    const tampered = envelope.slice();
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    await assert.rejects(
      openEnvelope(tampered, { keys: () => key, kinds: protocolKinds() }),
      (e: unknown) => isVcError(e, 'ERR_SIGNATURE_INVALID'),
      name,
    );
  }
});

const suite = new CipherSuite({
  kem: new DhkemP256HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes256Gcm(),
});

test('each sealed chunk opens with the key, nonce and AAD of the page, and with sealing.ts', async () => {
  for (const v of sealedVectors) {
    const name = field(v, 'vector');
    const [index, count] = [+field(v, 'index'), +field(v, 'count')];
    const stream = field(v, 'stream');
    const context: SealContext = {
      computation: field(v, 'computation'),
      session: field(v, 'session'),
      path: field(v, 'path'),
      purpose: field(v, 'purpose') as 'upload' | 'result',
      ...(stream === '-' ? {} : { chunk: { upload: stream, index, count } }),
    };
    const info = new TextEncoder().encode(field(v, 'info.text'));
    assert.equal(
      field(v, 'info.text'),
      `veracruz-ts/v2|${context.purpose}|${context.computation}|${context.session}|${context.path}|${stream}`,
    );
    assert.deepEqual(infoOf(context), info, name);
    const d = bytes(v, 'd');
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    assert.equal(hex(ecdh.getPublicKey()), field(v, 'recipient'), `${name}: d is the recipient's`);
    const sealed = bytes(v, 'sealed');
    assert.deepEqual(sealed.subarray(0, 65), bytes(v, 'enc'), `${name}: sealed starts with enc`);
    // RFC 9180 recipient context from enc and d; the stream key is its export.
    const receiver = await suite.createRecipientContext({
      recipientKey: await suite.kem.importKey('raw', Uint8Array.from(d).buffer, false),
      enc: Uint8Array.from(bytes(v, 'enc')).buffer,
      info,
    });
    const key = new Uint8Array(
      await receiver.export(new TextEncoder().encode('veracruz-ts/v2 stream key'), 32),
    );
    assert.equal(hex(key), field(v, 'key'), `${name}: the exported stream key`);
    const nonce = Buffer.alloc(12);
    nonce.writeBigUInt64BE(BigInt(index), 4);
    assert.equal(hex(nonce), field(v, 'nonce'), name);
    const place = Buffer.alloc(9);
    place.writeUInt32BE(index, 0);
    place.writeUInt32BE(count, 4);
    place[8] = index === count - 1 ? 1 : 0;
    const aad = Buffer.concat([info, place]);
    assert.equal(hex(aad), field(v, 'aad'), name);
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const plain = Buffer.concat([
      decipher.update(sealed.subarray(65, sealed.length - 16)),
      decipher.final(),
    ]);
    assert.equal(plain.toString('hex'), field(v, 'plaintext'), `${name}: AES-256-GCM by hand`);
    // The product's opener, with the recipient's key pair.
    const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
    const point = bytes(v, 'recipient');
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: b64(point.subarray(1, 33)),
      y: b64(point.subarray(33)),
    };
    const ecdhAlg = { name: 'ECDH', namedCurve: 'P-256' } as const;
    const keys = {
      publicKey: await webcrypto.subtle.importKey('jwk', jwk, ecdhAlg, true, []),
      privateKey: await webcrypto.subtle.importKey('jwk', { ...jwk, d: b64(d) }, ecdhAlg, false, [
        'deriveBits',
      ]),
    };
    const opener = await StreamOpener.from(keys, sealed, context);
    assert.equal(hex(opener.open(sealed, index, count)), field(v, 'plaintext'), name);
    assert.throws(
      () => opener.open(sealed, index === 0 ? 1 : 0, count),
      (e: unknown) => isVcError(e, 'ERR_SEAL_OPEN_FAILED'),
    );
    await assert.rejects(
      StreamOpener.from(keys, sealed, { ...context, path: '/input/elsewhere' }).then((o) =>
        o.open(sealed, index, count),
      ),
      (e: unknown) => isVcError(e, 'ERR_SEAL_OPEN_FAILED'),
    );
    // Its bulk subject, digest and size.
    const bulkStream =
      context.purpose === 'result'
        ? `k${createHash('sha256').update(bytes(v, 'replyKey')).digest('hex').slice(0, 32)}`
        : stream;
    if (context.purpose === 'result') {
      assert.deepEqual(bytes(v, 'replyKey'), point, `${name}: sealed to the replyKey`);
      assert.equal(bulkStream, resultBulkStream(point), name);
    }
    assert.equal(
      field(v, 'bulk.subject'),
      `vc.bulk.${context.computation}.${context.purpose}.${bulkStream}.${index}`,
    );
    assert.equal(
      field(v, 'bulk.subject'),
      subjectsFor().bulk(context.computation, context.purpose, bulkStream, index),
    );
    assert.equal(field(v, 'bulk.digest'), createHash('sha256').update(sealed).digest('hex'));
    assert.equal(+field(v, 'bulk.size'), sealed.length);
  }
});

test('the liveness answer decodes to its fields and passes its schema', () => {
  for (const v of vectors.filter((x) => x.has('answer'))) {
    const answer = decodePlain(bytes(v, 'answer'));
    assert.deepEqual(answer, JSON.parse(field(v, 'answer.json')));
    assert.equal(LIVENESS_SCHEMAS.answer(answer, 'answer'), undefined);
    assert.equal(hex(encodePlain(answer)), field(v, 'answer'));
  }
});
