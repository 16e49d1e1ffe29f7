// The committed wire vectors (transport/testdata/envelope-vectors.json, written by
// scripts/generate-envelope-vectors.ts) hold for today's protocol, so a client in another language
// can trust them as a reference: every envelope verifies with its sender's key and decodes to its
// expected fields, every body passes its kind's schema, sender ids have the documented forms, and
// every sealed payload opens with the published HPKE key in exactly its documented `info`; the
// session channel's MAC keys come from its published `info` and `enc`, its messages verify under
// them, and their transcript is the one the enclave's signed receipt names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash, webcrypto } from 'node:crypto';
import {
  isVcError,
  certificateFingerprint,
  parseCertificatePem,
  computationIdFor,
} from '../protocol/index.js';
import { openEnvelope } from './envelope.js';
import { protocolKinds } from './kinds.js';
import { encodePlain } from './plain-msgpack.js';
import { channelSecretsFrom, infoOf, openSealed, type SealContext } from './sealing.js';
import { Transcript } from './transcript.js';
import { importVerifyKey, type CryptoKey } from './signing-keys.js';

interface SenderEntry {
  id: string;
  alg: string;
  key: string;
  certificate?: string;
}
interface Vector {
  name: string;
  sender: string;
  envelope: string;
  signedBytes?: string;
  expected?: Record<string, unknown> & { bodyBytes: string; body: unknown };
  sealed?: { recipient: string; context: SealContext; info: string; plaintext: string };
  error?: string;
}
const file = JSON.parse(
  readFileSync(new URL('./testdata/envelope-vectors.json', import.meta.url), 'utf8'),
) as {
  computation: string;
  policyHash: string;
  senders: Record<string, SenderEntry>;
  hpke: Record<string, { publicKey: string; privateKey: string }>;
  vectors: Vector[];
  negative: Vector[];
  channel: {
    participant: string;
    enclave: string;
    info: string;
    enc: string;
    id: string;
    toEnclave: string;
    toParticipant: string;
    messages: (Vector & { direction: string })[];
    receipt: {
      session: string;
      channel: string;
      requests: number;
      replies: number;
      transcript: string;
    };
    negative: { name: string; envelope: string; error: string }[];
  };
};
const kinds = protocolKinds();
const unhex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const fromJson = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(fromJson)
    : v && typeof v === 'object'
      ? '$bytes' in v
        ? unhex((v as { $bytes: string }).$bytes)
        : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromJson(x)]))
      : v;

async function keyOf(sender: string): Promise<(from: string) => CryptoKey | undefined> {
  const entry = file.senders[sender] as SenderEntry;
  const key = await importVerifyKey(unhex(entry.key));
  return (from) => (from === entry.id ? key : undefined);
}

/** The HPKE key pair from its published raw point and private scalar. */
async function hpkeKeyPair(name: string): Promise<webcrypto.CryptoKeyPair> {
  const { publicKey, privateKey } = file.hpke[name] as { publicKey: string; privateKey: string };
  const point = unhex(publicKey);
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: b64(point.subarray(1, 33)),
    y: b64(point.subarray(33)),
  };
  const ecdh = { name: 'ECDH', namedCurve: 'P-256' } as const;
  return {
    publicKey: await webcrypto.subtle.importKey('jwk', jwk, ecdh, true, []),
    privateKey: await webcrypto.subtle.importKey(
      'jwk',
      { ...jwk, d: b64(unhex(privateKey)) },
      ecdh,
      false,
      ['deriveBits'],
    ),
  };
}

test('sender ids have their documented forms and name the listed keys', async () => {
  assert.equal(file.computation, computationIdFor(file.policyHash));
  for (const [name, s] of Object.entries(file.senders)) {
    if (s.id.startsWith('c:')) {
      // participants: the SHA-256 of their certificate, whose key is the listed key
      const cert = parseCertificatePem(s.certificate as string);
      assert.equal(s.id, `c:${certificateFingerprint(cert)}`, name);
      assert.equal(Buffer.from(cert.publicKey.rawData).toString('hex'), s.key, name);
    } else if (s.id.startsWith('k:')) {
      // self-certifying: the compressed P-256 point of the listed key
      const raw = new Uint8Array(
        await webcrypto.subtle.exportKey('raw', await importVerifyKey(unhex(s.key))),
      );
      const compressed = [2 + ((raw[64] as number) & 1), ...raw.subarray(1, 33)];
      assert.equal(s.id, `k:${Buffer.from(compressed).toString('hex')}`, name);
    } else {
      // the verifier: the key of its CA certificate (the policy's proxy_service_cert)
      assert.equal(s.id, 'verifier');
      const cert = parseCertificatePem(s.certificate as string);
      assert.equal(Buffer.from(cert.publicKey.rawData).toString('hex'), s.key, name);
    }
  }
  const algs = new Set(Object.values(file.senders).map((s) => s.alg));
  assert.deepEqual([...algs].sort(), ['ES256', 'Ed25519']);
});

test('positive vectors verify, decode to their expected fields and pass their schemas', async () => {
  const seen = new Set<string>();
  for (const v of file.vectors) {
    const expected = v.expected as NonNullable<Vector['expected']>;
    const opened = await openEnvelope(unhex(v.envelope), { keys: await keyOf(v.sender), kinds });
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
    assert.equal(opened.computation, file.computation, v.name);
    assert.deepEqual(opened.body, fromJson(body), v.name);
    assert.equal(Buffer.from(encodePlain(opened.body)).toString('hex'), bodyBytes, v.name);
    // signedBytes is the envelope with 0x87 for 0x88 and the sig entry cut off
    const signed = unhex(v.signedBytes as string);
    assert.equal(signed[0], 0x87);
    assert.deepEqual(signed.subarray(1), unhex(v.envelope).subarray(1, signed.length), v.name);
    seen.add(opened.kind);
  }
  for (const kind of ['session.hello', 'enclave.ready', 'provision.data', 'result.data'])
    assert.ok(seen.has(kind), kind);
});

test('sealed payloads open with the published key in exactly their info, and nowhere else', async () => {
  let count = 0;
  for (const v of file.vectors) {
    if (!v.sealed) continue;
    count++;
    const { recipient, context, info, plaintext } = v.sealed;
    assert.equal(new TextDecoder().decode(infoOf(context)), info, v.name);
    const body = fromJson((v.expected as { body: unknown }).body) as { sealed: Uint8Array };
    const keys = await hpkeKeyPair(recipient);
    assert.equal(
      Buffer.from(await webcrypto.subtle.exportKey('raw', keys.publicKey)).toString('hex'),
      file.hpke[recipient]?.publicKey,
    );
    assert.deepEqual(await openSealed(keys, body.sealed, context), unhex(plaintext), v.name);
    await assert.rejects(
      openSealed(keys, body.sealed, { ...context, path: '/input/elsewhere' }),
      (e: unknown) => isVcError(e, 'ERR_SEAL_OPEN_FAILED'),
      v.name,
    );
  }
  assert.ok(count >= 3);
});

test('negative vectors are refused with their codes', async () => {
  assert.ok(file.negative.length >= 5);
  for (const v of file.negative) {
    await assert.rejects(
      openEnvelope(unhex(v.envelope), { keys: await keyOf(v.sender), kinds }),
      (e: unknown) => isVcError(e) && e.code === v.error,
      v.name,
    );
  }
});

test("session channel: MAC keys from info and enc, every message verifies, the transcript is the receipt's", async () => {
  const ch = file.channel;
  const secrets = await channelSecretsFrom(
    await hpkeKeyPair('enclave'),
    unhex(ch.enc),
    new TextEncoder().encode(ch.info),
  );
  assert.equal(Buffer.from(secrets.toEnclave).toString('hex'), ch.toEnclave);
  assert.equal(Buffer.from(secrets.toParticipant).toString('hex'), ch.toParticipant);
  const id = createHash('sha256').update(unhex(ch.enc)).digest().subarray(0, 16);
  assert.equal(Buffer.from(id).toString('hex'), ch.id);
  const participant = file.senders[ch.participant]!.id;
  const enclave = file.senders[ch.enclave]!.id;
  const macKeys = (channel: string, from: string) =>
    channel !== ch.id
      ? undefined
      : from === participant
        ? secrets.toEnclave
        : from === enclave
          ? secrets.toParticipant
          : undefined;
  const noKeys = () => undefined;
  const transcript = new Transcript(id);
  for (const v of ch.messages) {
    const opened = await openEnvelope(unhex(v.envelope), { keys: noKeys, kinds, macKeys });
    const { bodyBytes, body, ...header } = v.expected!;
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
    assert.equal(opened.channel, ch.id, v.name);
    assert.deepEqual(opened.body, fromJson(body), v.name);
    assert.equal(Buffer.from(encodePlain(opened.body)).toString('hex'), bodyBytes, v.name);
    // A MAC-ed message is no signed one: without the channel's keys it is refused.
    await assert.rejects(
      openEnvelope(unhex(v.envelope), { keys: await keyOf(v.sender), kinds }),
      (e: unknown) => isVcError(e, 'ERR_CHANNEL_UNKNOWN'),
      v.name,
    );
    transcript.add(v.direction === 'participant->enclave', opened.seq, unhex(v.envelope));
  }
  assert.deepEqual(transcript.summary(), {
    requests: ch.receipt.requests,
    replies: ch.receipt.replies,
    transcript: ch.receipt.transcript,
  });
  const signedReceipt = file.vectors.find((v) => v.expected?.kind === 'session.receipt');
  assert.deepEqual(
    fromJson(signedReceipt?.expected?.body),
    fromJson({ ...ch.receipt, channel: { $bytes: ch.receipt.channel } }),
  );
  for (const v of ch.negative) {
    await assert.rejects(
      openEnvelope(unhex(v.envelope), { keys: noKeys, kinds, macKeys }),
      (e: unknown) => isVcError(e) && e.code === v.error,
      v.name,
    );
  }
});
