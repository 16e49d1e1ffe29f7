import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  ephemeralKeyPair,
  infoOf,
  openSealed,
  sealTo,
  sealUpload,
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
  assert.equal(text(base), 'veracruz-ts/v1|upload|p1|s1|/input/a|u1|0|2');
  assert.equal(
    text({ computation: 'p1', session: 's1', path: '/output/r', purpose: 'result' }),
    'veracruz-ts/v1|result|p1|s1|/output/r|-',
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

test('sealUpload cuts a file into places that open in order and rebuild it', async () => {
  const { keyPair, publicRaw } = await ephemeralKeyPair();
  const context = { computation: 'p1', session: 's1', path: '/input/big' };
  for (const size of [0, 10, UPLOAD_CHUNK_BYTES, 2 * UPLOAD_CHUNK_BYTES + 7]) {
    const file = new Uint8Array(randomBytes(size));
    const parts = [];
    for await (const part of sealUpload(publicRaw, file, context, 'u9')) parts.push(part);
    const count = Math.max(1, Math.ceil(size / UPLOAD_CHUNK_BYTES));
    assert.equal(parts.length, count);
    assert.equal(parts.at(-1)!.end, size);
    const opened = [];
    for (const [index, part] of parts.entries()) {
      // one chunk: no `chunk` field at all, as the single-message form of the wire
      assert.deepEqual(part.chunk, count === 1 ? undefined : { upload: 'u9', index, count });
      opened.push(
        await openSealed(keyPair, part.sealed, {
          ...context,
          purpose: 'upload',
          ...(part.chunk ? { chunk: part.chunk } : {}),
        }),
      );
    }
    assert.deepEqual(Buffer.concat(opened), Buffer.from(file));
    if (count > 1) {
      const swapped = { ...context, purpose: 'upload' as const, chunk: parts[1]!.chunk! };
      await assert.rejects(openSealed(keyPair, parts[0]!.sealed, swapped), openFails);
    }
  }
});
