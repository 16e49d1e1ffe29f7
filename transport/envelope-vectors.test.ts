// The committed envelope vectors (transport/testdata/envelope-vectors.json) still verify and decode
// to their expected fields, so a client in another language can trust them as a reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isVcError } from '../protocol/errors.js';
import { KindRegistry } from './kinds.js';
import { openEnvelope } from './envelope.js';
import { encodePlain } from './plain-msgpack.js';
import { importVerifyKey, type CryptoKey } from './signing-keys.js';

interface Vector {
  name: string;
  key: string;
  envelope: string;
  signedBytes?: string;
  expected?: Record<string, unknown> & { bodyBytes: string; body: unknown };
  error?: string;
}
const file = JSON.parse(
  readFileSync(new URL('./testdata/envelope-vectors.json', import.meta.url), 'utf8'),
) as {
  keys: Record<string, string>;
  vectors: Vector[];
  negative: Vector[];
};
const unhex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const fromJson = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(fromJson)
    : v && typeof v === 'object'
      ? '$bytes' in v
        ? unhex((v as { $bytes: string }).$bytes)
        : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromJson(x)]))
      : v;

const anyBody = (v: unknown): unknown => v;
const kinds = new KindRegistry();
for (const k of ['attest.challenge', 'provision.data', 'result.read', 'test.any'])
  kinds.define(k, anyBody);

async function keyFor(alg: string): Promise<(from: string) => CryptoKey> {
  const key = await importVerifyKey(unhex(file.keys[alg] as string));
  return () => key;
}

test('positive vectors verify and decode to their expected fields', async () => {
  assert.ok(file.vectors.length >= 6);
  for (const v of file.vectors) {
    const expected = v.expected as NonNullable<Vector['expected']>;
    const opened = await openEnvelope(unhex(v.envelope), { keys: await keyFor(v.key), kinds });
    const { bodyBytes, body, ...header } = expected;
    assert.deepEqual(
      {
        v: opened.v,
        kind: opened.kind,
        computation: opened.computation,
        from: opened.from,
        seq: opened.seq,
        ts: opened.ts,
      },
      header,
      v.name,
    );
    assert.deepEqual(opened.body, fromJson(body), v.name);
    assert.equal(Buffer.from(encodePlain(opened.body)).toString('hex'), bodyBytes, v.name);
    // signedBytes is the envelope with 0x87 for 0x88 and the sig entry cut off
    const signed = unhex(v.signedBytes as string);
    assert.equal(signed[0], 0x87);
    assert.deepEqual(signed.subarray(1), unhex(v.envelope).subarray(1, signed.length), v.name);
  }
});

test('negative vectors are refused with their codes', async () => {
  assert.ok(file.negative.length >= 3);
  for (const v of file.negative) {
    await assert.rejects(
      openEnvelope(unhex(v.envelope), { keys: await keyFor(v.key), kinds }),
      (e: unknown) => isVcError(e) && e.code === v.error,
      v.name,
    );
  }
});
