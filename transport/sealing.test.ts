import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  ephemeralKeyPair,
  infoOf,
  openSealed,
  sealStream,
  sealTo,
  StreamOpener,
  UPLOAD_CHUNK_BYTES,
  type SealContext,
} from './sealing.js';
import { isVcError } from '../protocol/index.js';

const base: SealContext = {
  computation: 'p1',
  session: 's1',
  path: '/input/a',
  purpose: 'upload',
  chunk: { upload: 'u1', index: 0, count: 2 },
};
const openFails = (e: unknown): boolean => isVcError(e, 'ERR_SEAL_OPEN_FAILED');

test('info is the documented string, for an upload chunk and for a result', () => {
  const text = (c: SealContext): string => new TextDecoder().decode(infoOf(c));
  // the chunk's index and count are not in info (one HPKE context per stream) but in each chunk's AAD
  assert.equal(text(base), 'veracruz-ts/v2|upload|p1|s1|/input/a|u1');
  assert.equal(
    text({ computation: 'p1', session: 's1', path: '/output/r', purpose: 'result' }),
    'veracruz-ts/v2|result|p1|s1|/output/r|-',
  );
});

test('a sealed chunk opens only in its exact context', async () => {
  const { keyPair, publicRaw } = await ephemeralKeyPair();
  const data = new TextEncoder().encode('secret data');
  const sealed = await sealTo(publicRaw, data, base);
  assert.equal(sealed.length, 65 + data.length + 16); // enc || ciphertext || tag
  assert.deepEqual(await openSealed(keyPair, sealed, base), data);
  const others: SealContext[] = [
    { ...base, path: '/input/b' },
    { ...base, session: 's2' },
    { ...base, computation: 'p2' },
    { ...base, chunk: { upload: 'u2', index: 0, count: 2 } },
    { ...base, chunk: { upload: 'u1', index: 1, count: 2 } },
    { ...base, chunk: { upload: 'u1', index: 0, count: 1 } },
    { computation: 'p1', session: 's1', path: '/input/a', purpose: 'upload' },
    { ...base, purpose: 'result' },
  ];
  for (const other of others) await assert.rejects(openSealed(keyPair, sealed, other), openFails);
  const stranger = await ephemeralKeyPair();
  await assert.rejects(openSealed(stranger.keyPair, sealed, base), openFails);
});

test('a flipped bit in enc or ciphertext, or a cut payload, fails to open', async () => {
  const { keyPair, publicRaw } = await ephemeralKeyPair();
  const sealed = await sealTo(publicRaw, new Uint8Array(randomBytes(1000)), base);
  for (const i of [0, 1, 40, 64, 65, 80, sealed.length - 17, sealed.length - 1]) {
    const bad = sealed.slice();
    bad[i]! ^= 0x80;
    await assert.rejects(openSealed(keyPair, bad, base), openFails, `byte ${i}`);
  }
  for (const cut of [0, 64, 65 + 15, sealed.length - 1])
    await assert.rejects(openSealed(keyPair, sealed.subarray(0, cut), base), openFails);
});

test('sealStream cuts a file into chunks of one stream that open in any order', async () => {
  const { keyPair, publicRaw } = await ephemeralKeyPair();
  const context = {
    computation: 'p1',
    session: 's1',
    path: '/input/big',
    purpose: 'upload' as const,
  };
  for (const size of [0, 10, UPLOAD_CHUNK_BYTES, 2 * UPLOAD_CHUNK_BYTES + 7]) {
    const file = new Uint8Array(randomBytes(size));
    const stream = await sealStream(publicRaw, file, context, 'u9');
    const parts = [...stream];
    const count = Math.max(1, Math.ceil(size / UPLOAD_CHUNK_BYTES));
    assert.equal(parts.length, count);
    assert.equal(stream.count, count);
    assert.equal(parts.at(-1)!.end, size);
    // one KEM per stream: every chunk carries the same enc
    for (const part of parts)
      assert.deepEqual(part.sealed.subarray(0, 65), parts[0]!.sealed.subarray(0, 65));
    const opener = await StreamOpener.from(keyPair, parts.at(-1)!.sealed, {
      ...context,
      ...(parts[0]!.chunk ? { chunk: parts[0]!.chunk } : {}),
    });
    const opened: Uint8Array[] = [];
    for (const [index, part] of [...parts.entries()].reverse()) {
      // one chunk: no `chunk` field at all, as the single-message form of the wire
      assert.deepEqual(part.chunk, count === 1 ? undefined : { upload: 'u9', index, count });
      opened[index] = opener.open(part.sealed, index, count);
    }
    assert.deepEqual(Buffer.concat(opened), Buffer.from(file));
  }
});

test('stream chunks reordered, substituted, truncated or replayed elsewhere fail to open', async () => {
  const { keyPair, publicRaw } = await ephemeralKeyPair();
  const context = {
    computation: 'p1',
    session: 's1',
    path: '/input/big',
    purpose: 'upload' as const,
  };
  const file = new Uint8Array(randomBytes(3 * UPLOAD_CHUNK_BYTES));
  const parts = [...(await sealStream(publicRaw, file, context, 'u1'))];
  const chunk = parts[0]!.chunk!;
  const opener = await StreamOpener.from(keyPair, parts[0]!.sealed, { ...context, chunk });
  const fails = (f: () => unknown) => assert.throws(f, openFails);
  // reordered: a chunk at another index
  fails(() => opener.open(parts[1]!.sealed, 0, 3));
  fails(() => opener.open(parts[0]!.sealed, 1, 3));
  // truncated: the stream cut after two chunks, presented as a stream of two
  fails(() => opener.open(parts[1]!.sealed, 1, 2));
  fails(() => opener.open(parts[0]!.sealed, 0, 2));
  // substituted: the same place in another upload of the same file (its own KEM and id)
  const other = [...(await sealStream(publicRaw, file, context, 'u2'))];
  fails(() => opener.open(other[1]!.sealed, 1, 3));
  const same = [...(await sealStream(publicRaw, file, context, 'u1'))]; // same id, new KEM
  fails(() => opener.open(same[1]!.sealed, 1, 3));
  // replayed into another session, computation, path or purpose: the stream key differs
  for (const elsewhere of [
    { ...context, session: 's2' },
    { ...context, computation: 'p2' },
    { ...context, path: '/input/other' },
    { ...context, purpose: 'result' as const },
  ]) {
    const there = await StreamOpener.from(keyPair, parts[1]!.sealed, { ...elsewhere, chunk });
    fails(() => there.open(parts[1]!.sealed, 1, 3));
  }
  assert.deepEqual(opener.open(parts[2]!.sealed, 2, 3), file.subarray(2 * UPLOAD_CHUNK_BYTES));
});
