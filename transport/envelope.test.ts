import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { Packr } from 'msgpackr';
import { isVcError, type AttestChallengeBody } from '../protocol/index.js';
import { protocolKinds } from './kinds.js';
import {
  bodyOf,
  openEnvelope,
  readEnvelopeHeaderUnverified,
  signEnvelope,
  type EnvelopeHeader,
} from './envelope.js';
import { writeSigned, writeUnsigned } from './envelope-layout.js';
import { generateSigningKeyPair, signBytes, type CryptoKey } from './signing-keys.js';

const kinds = protocolKinds();
const challenge = kinds.get('attest.challenge');

const header: EnvelopeHeader = {
  kind: 'attest.challenge',
  computation: 'comp-1',
  from: 'verifier',
  seq: 7,
  ts: 1_790_000_000_000,
};
const nonce = new Uint8Array(32).fill(9);
const body: AttestChallengeBody = { attestation: 'a1', nonce, expiresAt: 1_790_000_060_000 };
const nonceOf = (value: unknown): Uint8Array => (value as AttestChallengeBody).nonce;

async function setup(alg: 'ES256' | 'Ed25519' = 'ES256') {
  const pair = await generateSigningKeyPair(alg);
  const keys = (from: string): CryptoKey | undefined =>
    from === 'verifier' ? pair.publicKey : undefined;
  const bytes = await signEnvelope(header, body, pair.privateKey, challenge);
  return { pair, keys, bytes };
}

async function refused(
  code: string,
  bytes: Uint8Array,
  keys: (from: string) => CryptoKey | undefined,
): Promise<void> {
  await assert.rejects(
    openEnvelope(bytes, { keys, kinds }),
    (e: unknown) => isVcError(e) && e.code === code,
  );
}

/** Signs raw body bytes, bypassing the encoder's checks, as a hostile peer could. */
async function signRaw(
  key: CryptoKey,
  raw: Uint8Array,
  h: EnvelopeHeader = header,
): Promise<Uint8Array> {
  const unsigned = writeUnsigned(h, raw);
  return writeSigned(unsigned, await signBytes(key, unsigned));
}

for (const alg of ['ES256', 'Ed25519'] as const) {
  test(`${alg}: sign then open returns the header and the validated body`, async () => {
    const { keys, bytes } = await setup(alg);
    const opened = await openEnvelope(bytes, { keys, kinds });
    assert.deepEqual({ ...opened, bytes: undefined }, { v: 1, ...header, body, bytes: undefined });
    assert.deepEqual(nonceOf(bodyOf(opened, challenge)), nonce);
    assert.deepEqual(readEnvelopeHeaderUnverified(bytes), header);
  });
}

test('every single-bit flip anywhere is refused with a typed error, never accepted or crashed', async () => {
  const { keys, bytes } = await setup();
  const seen = new Set<string>();
  for (let i = 0; i < bytes.length; i++) {
    const bad = bytes.slice();
    bad[i] = (bad[i] as number) ^ (1 << (i % 8));
    await assert.rejects(
      openEnvelope(bad, { keys, kinds }),
      (e: unknown) => {
        if (!isVcError(e)) return false;
        seen.add(e.code);
        return true;
      },
      `byte ${i}`,
    );
  }
  assert.ok(
    seen.has('ERR_SIGNATURE_INVALID') && seen.has('ERR_ENVELOPE_MALFORMED'),
    [...seen].join(),
  );
});

test('flips in header, body and signature give the expected codes', async () => {
  const { keys, bytes } = await setup();
  const at = (needle: Uint8Array): number => Buffer.from(bytes).indexOf(Buffer.from(needle));
  const flip = (i: number): Uint8Array => {
    const b = bytes.slice();
    b[i] = (b[i] as number) ^ 0x01;
    return b;
  };
  await refused('ERR_SIGNATURE_INVALID', flip(at(new TextEncoder().encode('comp-1')) + 5), keys); // header
  await refused('ERR_SIGNATURE_INVALID', flip(at(nonce) + 3), keys); // body
  await refused('ERR_SIGNATURE_INVALID', flip(bytes.length - 10), keys); // signature
});

test('a wrong key, an unknown sender and a disallowed key algorithm are refused', async () => {
  const { bytes } = await setup();
  const other = await generateSigningKeyPair();
  await refused('ERR_SIGNATURE_INVALID', bytes, () => other.publicKey);
  await refused('ERR_UNKNOWN_SENDER', bytes, () => undefined);
  const p384 = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  await refused('ERR_KEY_UNSUPPORTED', bytes, () => p384.publicKey);
  const { pair } = await setup();
  await refused('ERR_SIGNATURE_INVALID', bytes, () => pair.privateKey); // a private key never verifies
});

test('truncation at every length is refused', async () => {
  const { keys, bytes } = await setup();
  for (let cut = 0; cut < bytes.length; cut++) {
    await assert.rejects(
      openEnvelope(bytes.subarray(0, cut), { keys, kinds }),
      (e: unknown) =>
        isVcError(e) && ['ERR_ENVELOPE_TRUNCATED', 'ERR_ENVELOPE_MALFORMED'].includes(e.code),
    );
  }
  await refused('ERR_ENVELOPE_MALFORMED', new Uint8Array([...bytes, 0]), keys);
});

test('a declared size of 100 MiB is refused before any allocation or crypto', async () => {
  const { keys, bytes } = await setup();
  const bodyToken =
    Buffer.from(bytes).indexOf(Buffer.from([0xa4, ...new TextEncoder().encode('body')])) + 5;
  const bad = bytes.slice();
  bad[bodyToken] = 0xc6; // bin32 with a 100 MiB length, in place of bin8
  const huge = Uint8Array.of(0xc6, 0x06, 0x40, 0x00, 0x00);
  const patched = new Uint8Array([
    ...bad.subarray(0, bodyToken),
    ...huge,
    ...bad.subarray(bodyToken + 2),
  ]);
  await refused('ERR_ENVELOPE_TOO_LARGE', patched, keys);
  await assert.rejects(
    openEnvelope(bytes, { keys, kinds, limits: { maxBytes: 100, maxDepth: 8 } }),
    (e: unknown) => isVcError(e, 'ERR_ENVELOPE_TOO_LARGE'),
  );
});

test('a correctly signed body nested 10,000 deep or holding extension types is refused', async () => {
  const { pair } = await setup();
  const keys = (): CryptoKey => pair.publicKey;
  const deep = new Uint8Array([...new Uint8Array(10_000).fill(0x91), 0x01]);
  await refused('ERR_ENVELOPE_TOO_DEEP', await signRaw(pair.privateKey, deep), keys);
  const rich = new Packr({ useRecords: true, moreTypes: true });
  for (const v of [{ a: 1, b: 2 }, /x/, new Error('e'), new Set([1]), 2n ** 70n, new Date(0)]) {
    await refused(
      'ERR_ENVELOPE_EXTENSION_TYPE',
      await signRaw(pair.privateKey, rich.pack(v)),
      keys,
    );
  }
});

test('extension types and nesting in the envelope itself are refused before the key lookup', async () => {
  let lookups = 0;
  const keys = (): undefined => void lookups++;
  const withExt = new Packr({ useRecords: false }).pack({
    v: 1,
    kind: 'a.b',
    computation: 'c',
    from: 'f',
    seq: 1,
    ts: new Date(0),
    body: new Uint8Array(1),
    sig: new Uint8Array(64),
  });
  await refused('ERR_ENVELOPE_EXTENSION_TYPE', withExt, keys);
  const nested = new Packr({ useRecords: false }).pack({
    v: 1,
    kind: 'a.b',
    computation: 'c',
    from: 'f',
    seq: 1,
    ts: 1,
    body: [new Uint8Array(1)],
    sig: new Uint8Array(64),
  });
  await refused('ERR_ENVELOPE_TOO_DEEP', nested, keys);
  assert.equal(lookups, 0);
});

test('unknown kinds and bodies off-schema are refused after verification', async () => {
  const { pair } = await setup();
  const keys = (): CryptoKey => pair.publicKey;
  const unknownKind = await signEnvelope({ ...header, kind: 'test.unknown' }, {}, pair.privateKey);
  await refused('ERR_UNKNOWN_KIND', unknownKind, keys);
  const offSchema = await signEnvelope(header, { ...body, nonce: 'x' }, pair.privateKey);
  await refused('ERR_BAD_MESSAGE', offSchema, keys);
  const extraField = await signEnvelope(header, { ...body, extra: 1 }, pair.privateKey);
  await refused('ERR_BAD_MESSAGE', extraField, keys);
  const tooBig = await signEnvelope(
    header,
    { ...body, nonce: new Uint8Array(1025) },
    pair.privateKey,
  );
  await refused('ERR_BAD_MESSAGE', tooBig, keys);
  await assert.rejects(
    signEnvelope(header, { ...body, nonce: 'x' }, pair.privateKey, kinds),
    (e: unknown) => isVcError(e, 'ERR_BAD_MESSAGE'),
  );
});

test('the input buffer is copied before any await: mutating it during verification changes nothing', async () => {
  const { keys, bytes } = await setup();
  const input = bytes.slice();
  const pending = openEnvelope(input, { keys, kinds });
  input.fill(0);
  const opened = await pending;
  assert.deepEqual(nonceOf(bodyOf(opened, challenge)), nonce);
});

test('malformed headers are refused when signing and when opening', async () => {
  const { pair, keys } = await setup();
  for (const bad of [
    { computation: 'a.b' },
    { computation: '' },
    { from: 'has space' },
    { seq: -1 },
    { ts: 1.5 },
    { kind: 'NoDots' },
    { kind: 'xstate.init' },
  ]) {
    await assert.rejects(signEnvelope({ ...header, ...bad }, body, pair.privateKey), (e: unknown) =>
      isVcError(e, 'ERR_ENVELOPE_MALFORMED'),
    );
    if ('seq' in bad || 'ts' in bad) continue; // the minimal writer cannot even express these
    const unsigned = writeUnsigned({ ...header, ...bad } as EnvelopeHeader, new Uint8Array([0x80]));
    const forged = writeSigned(unsigned, await signBytes(pair.privateKey, unsigned));
    await refused('ERR_ENVELOPE_MALFORMED', forged, keys);
  }
});

test('keys must be in their shortest form and in the fixed order', async () => {
  const { keys, bytes } = await setup();
  const longKey = new Uint8Array([0x88, 0xd9, 0x01, ...bytes.subarray(2)]); // "v" as str8
  await refused('ERR_ENVELOPE_MALFORMED', longKey, keys);
  const swapped = bytes.slice();
  swapped.set([0xa1, 0x77], 1); // "w" instead of "v"
  await refused('ERR_ENVELOPE_MALFORMED', swapped, keys);
});
