import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ErrorCode } from '../protocol/error-codes.js';
import { isVcError } from '../protocol/errors.js';
import {
  deserializeHpkePrivateKey,
  deserializeHpkePublicKey,
  generateHpkeKeyPair,
  hpkeInfo,
  hpkeOpen,
  hpkeSeal,
  serializeHpkePrivateKey,
  serializeHpkePublicKey,
  type SealContext,
} from './hpke.js';
import { openChunks, sealChunks, SealedStreamReader, type SealedChunk } from './sealed-stream.js';

const context: SealContext = { computation: 'comp-1', session: 's-abc', path: '/input/data.csv' };
const fails = (code: string) => (e: unknown) => isVcError(e, code as ErrorCode);

test('info is the canonical msgpack array and differs per field', () => {
  assert.equal(
    Buffer.from(hpkeInfo({ computation: 'c', session: 's', path: '/p' })).toString('hex'),
    '94aa7663' + Buffer.from('-hpke-v1').toString('hex') + 'a163a173a22f70',
  );
  const infos = new Set(
    [
      context,
      { ...context, computation: 'x' },
      { ...context, session: 'x' },
      { ...context, path: '/x' },
    ].map((c) => Buffer.from(hpkeInfo(c)).toString('hex')),
  );
  assert.equal(infos.size, 4);
});

test('seal/open round trip; wrong key, context, aad or any flipped bit is ERR_DECRYPT_FAILED', async () => {
  const pair = await generateHpkeKeyPair();
  const other = await generateHpkeKeyPair();
  const plaintext = randomBytes(1000);
  const sealed = await hpkeSeal(pair.publicKey, plaintext, context, Uint8Array.of(1));
  assert.equal(sealed.enc.length, 65);
  assert.deepEqual(
    await hpkeOpen(pair, sealed, context, Uint8Array.of(1)),
    new Uint8Array(plaintext),
  );
  await assert.rejects(
    hpkeOpen(other, sealed, context, Uint8Array.of(1)),
    fails('ERR_DECRYPT_FAILED'),
  );
  for (const c of [
    { ...context, computation: 'comp-2' },
    { ...context, session: 's-abd' },
    { ...context, path: '/input/other' },
  ]) {
    await assert.rejects(hpkeOpen(pair, sealed, c, Uint8Array.of(1)), fails('ERR_DECRYPT_FAILED'));
  }
  await assert.rejects(
    hpkeOpen(pair, sealed, context, Uint8Array.of(2)),
    fails('ERR_DECRYPT_FAILED'),
  );
  for (const field of ['enc', 'ct'] as const) {
    for (const i of [0, 10, sealed[field].length - 1]) {
      const bad = sealed[field].slice();
      bad[i] = (bad[i] as number) ^ 0x80;
      await assert.rejects(
        hpkeOpen(pair, { ...sealed, [field]: bad }, context, Uint8Array.of(1)),
        fails('ERR_DECRYPT_FAILED'),
      );
    }
  }
});

test('HPKE keys serialise as a 65-byte point and a 32-byte scalar and come back usable', async () => {
  const pair = await generateHpkeKeyPair();
  const pub = await serializeHpkePublicKey(pair.publicKey);
  const priv = await serializeHpkePrivateKey(pair.privateKey);
  assert.equal(pub.length, 65);
  assert.equal(priv.length, 32);
  const sealed = await hpkeSeal(await deserializeHpkePublicKey(pub), Uint8Array.of(7), context);
  const restored = await deserializeHpkePrivateKey(priv);
  assert.deepEqual(await serializeHpkePublicKey(restored.publicKey), pub);
  assert.deepEqual(await hpkeOpen(restored, sealed, context), Uint8Array.of(7));
  await assert.rejects(deserializeHpkePublicKey(pub.subarray(1)), fails('ERR_KEY_UNSUPPORTED'));
  const offCurve = pub.slice();
  offCurve[64] = (offCurve[64] as number) ^ 1;
  await assert.rejects(deserializeHpkePublicKey(offCurve), fails('ERR_KEY_UNSUPPORTED'));
});

test('chunked streams round-trip for empty, exact-multiple and ragged sizes', async () => {
  const pair = await generateHpkeKeyPair();
  for (const size of [0, 1, 64, 64 * 3, 64 * 3 + 5]) {
    const data = new Uint8Array(randomBytes(size));
    const { enc, params, chunks } = await sealChunks(pair.publicKey, context, data, 64);
    assert.equal(chunks.length, Math.max(1, Math.ceil(size / 64)));
    assert.ok(chunks.at(-1)?.final && chunks.slice(0, -1).every((c) => !c.final));
    assert.deepEqual(await openChunks(pair, context, enc, params, chunks), data);
  }
});

test('chunk truncation, reordering, substitution, duplication, extension and lies are refused', async () => {
  const pair = await generateHpkeKeyPair();
  const data = new Uint8Array(randomBytes(64 * 4));
  const a = await sealChunks(pair.publicKey, context, data, 64);
  const b = await sealChunks(pair.publicKey, context, data, 64); // same data, another stream
  const open = (chunks: SealedChunk[], params = a.params, enc = a.enc, c = context) =>
    openChunks(pair, c, enc, params, chunks);
  const [c0, c1, c2, c3] = a.chunks as [SealedChunk, SealedChunk, SealedChunk, SealedChunk];
  const invalid = fails('ERR_SEALED_STREAM_INVALID');
  await assert.rejects(open([c0, c1, c2]), invalid); // truncated
  await assert.rejects(open([c0, c2, c1, c3]), invalid); // reordered
  await assert.rejects(open([c0, { ...c2, index: 1 }, { ...c1, index: 2 }, c3]), invalid); // reordered, relabelled
  await assert.rejects(open([c0, b.chunks[1] as SealedChunk, c2, c3]), invalid); // substituted from another stream
  await assert.rejects(open([c0, c0, c2, c3]), invalid); // duplicated
  await assert.rejects(open([c0, c1, c2, c3, c3]), invalid); // extended after final
  await assert.rejects(open([c0, c1, { ...c2, final: true }]), invalid); // lying final flag
  await assert.rejects(open([c0, c1, c2], { ...a.params, totalBytes: 64 * 3 }), invalid); // lying total
  await assert.rejects(
    open(a.chunks, a.params, a.enc, { ...context, path: '/input/other' }),
    invalid,
  ); // other context
  const flipped = c1.ct.slice();
  flipped[5] = (flipped[5] as number) ^ 1;
  await assert.rejects(open([c0, { ...c1, ct: flipped }, c2, c3]), invalid);
  // a failed chunk poisons the reader: the genuine chunk afterwards is refused too
  const reader = await SealedStreamReader.create(pair, a.enc, context, a.params);
  await reader.open(c0);
  await assert.rejects(reader.open({ ...c1, ct: flipped }), invalid);
  await assert.rejects(reader.open(c1), invalid);
  await assert.rejects(
    openChunks(pair, context, a.enc, { totalBytes: 2 ** 40, chunkSize: 64 }, []),
    fails('ERR_ENVELOPE_TOO_LARGE'),
  );
});
