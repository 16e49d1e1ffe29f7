import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isVcError } from '../../protocol/index.js';
import { HeldBytes } from './held-bytes.js';

test('held bytes are taken once; dropped and cleared bytes are gone', () => {
  const held = new HeldBytes();
  const sealed = new Uint8Array([1, 2, 3]);
  const handle = held.holdPublic(sealed);
  assert.equal(handle, createHash('sha256').update(sealed).digest('hex'));
  assert.deepEqual(held.take(handle), sealed);
  assert.throws(
    () => held.take(handle),
    (e) => isVcError(e, 'ERR_INTERNAL'),
  );

  const secret = held.hold('h1', new Uint8Array([9]));
  assert.throws(
    () => held.hold('h1', new Uint8Array([8])),
    (e) => isVcError(e, 'ERR_INTERNAL'),
  );
  held.drop(secret);
  assert.throws(
    () => held.take(secret),
    (e) => isVcError(e, 'ERR_INTERNAL'),
  );

  const kept = held.hold('h2', new Uint8Array([7]));
  held.clear();
  assert.throws(
    () => held.take(kept),
    (e) => isVcError(e, 'ERR_INTERNAL'),
  );
});
