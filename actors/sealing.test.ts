import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ephemeralKeyPair, openSealed, sealTo, type SealContext } from './sealing.js';
import { isVcError } from '../protocol/errors.js';

const base: SealContext = {
  computation: 'p1',
  session: 's1',
  path: '/input/a',
  purpose: 'upload',
  chunk: { upload: 'u1', index: 0, count: 2 },
};

test('a sealed chunk opens only in its exact context', async () => {
  const { keyPair, publicRaw } = await ephemeralKeyPair();
  const data = new TextEncoder().encode('secret data');
  const sealed = await sealTo(publicRaw, data, base);
  assert.deepEqual(await openSealed(keyPair, sealed, base), data);
  const others: SealContext[] = [
    { ...base, path: '/input/b' },
    { ...base, session: 's2' },
    { ...base, computation: 'p2' },
    { ...base, chunk: { upload: 'u1', index: 1, count: 2 } },
    { ...base, chunk: { upload: 'u1', index: 0, count: 1 } },
    { ...base, purpose: 'result' },
  ];
  for (const other of others) {
    await assert.rejects(openSealed(keyPair, sealed, other), (e) =>
      isVcError(e, 'ERR_SEAL_OPEN_FAILED'),
    );
  }
  const flipped = sealed.slice();
  flipped[flipped.length - 1]! ^= 1;
  await assert.rejects(openSealed(keyPair, flipped, base), (e) =>
    isVcError(e, 'ERR_SEAL_OPEN_FAILED'),
  );
  const stranger = await ephemeralKeyPair();
  await assert.rejects(openSealed(stranger.keyPair, sealed, base), (e) =>
    isVcError(e, 'ERR_SEAL_OPEN_FAILED'),
  );
});
