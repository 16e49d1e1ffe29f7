// Regenerates transport/testdata/envelope-vectors.json: signed envelopes of today's message kinds,
// built with the product's own pieces (identities and certificates, sender ids, the sealing of
// uploads and results, the protocol's kind registry, which validates every body before signing);
// and the test vectors of docs/protocol.md (between its `vectors:begin` and `vectors:end` marks).
// Keys, ECDSA signatures and HPKE encapsulations are fresh on every run, so both change each time;
// their checks (transport/envelope-vectors.test.ts, transport/protocol-vectors.test.ts) do not.
//   node --import tsx scripts/generate-envelope-vectors.ts
import { createHash, webcrypto } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from '@hpke/core';
import {
  certificateSenderId,
  EnclaveChannels,
  keySenderId,
  ParticipantChannel,
  resultBulkStream,
  VERIFIER_SENDER_ID,
} from '../actors/index.js';
import {
  certificateToPem,
  createIdentity,
  issueCertificate,
  type GeneratedIdentity,
  type KeyAlgorithmName,
  type BodyOf,
  type MessageKind,
  subjectsFor,
  computationIdFor,
} from '../protocol/index.js';
import {
  signEnvelope,
  type EnvelopeHeader,
  signedPart,
  writeSigned,
  writeUnsigned,
  protocolKinds,
  scanMsgpack,
  encodePlain,
  infoOf,
  sealTo,
  sealStream,
  UPLOAD_CHUNK_BYTES,
  type SealContext,
  exportVerifyKey,
  signBytes,
  StreamSealer,
  macEnvelope,
} from '../transport/index.js';

const out = new URL('../transport/testdata/envelope-vectors.json', import.meta.url);
const protocolDoc = new URL('../docs/protocol.md', import.meta.url);
const kinds = protocolKinds();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** JSON view of a body: bytes become {"$bytes": hex}. */
const json = (v: unknown): unknown =>
  v instanceof Uint8Array
    ? { $bytes: hex(v) }
    : Array.isArray(v)
      ? v.map(json)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, json(x)]))
        : v;

const NOW = Date.UTC(2026, 10, 27, 12); // fixed, so validity and timestamps read the same each run
const policyHash = createHash('sha256').update('{"example":"policy"}').digest('hex');
const computation = computationIdFor(policyHash);
const session = '5e55101d00000000000000000000beef';

interface Sender {
  readonly id: string;
  readonly alg: 'ES256' | 'Ed25519';
  readonly privateKey: webcrypto.CryptoKey;
  readonly publicKey: webcrypto.CryptoKey;
  readonly certificate?: string;
  /** Envelopes number from the sender's clock in microsecond steps (actors/runtime/endpoint.ts). */
  seq: number;
}

async function participant(name: string, algorithm: KeyAlgorithmName): Promise<Sender> {
  const identity = await createIdentity({ name, algorithm, now: new Date(NOW) });
  return {
    id: certificateSenderId(new Uint8Array(identity.certificate.rawData)),
    alg: algorithm === 'P-256' ? 'ES256' : 'Ed25519',
    privateKey: identity.privateKey,
    publicKey: identity.publicKey,
    certificate: identity.certificatePem,
    seq: NOW * 1000,
  };
}

/** An ECDH P-256 key pair whose private scalar can be published in the vectors. */
async function hpkePair(): Promise<{ pair: webcrypto.CryptoKeyPair; raw: Uint8Array; d: string }> {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ])) as webcrypto.CryptoKeyPair;
  const raw = new Uint8Array(await webcrypto.subtle.exportKey('raw', pair.publicKey));
  const jwk = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
  return { pair, raw, d: hex(Buffer.from(jwk.d as string, 'base64url')) };
}

async function main(): Promise<void> {
  const alice = await participant('alice', 'P-256');
  const bob = await participant('bob', 'Ed25519');
  const ca: GeneratedIdentity = await createIdentity({
    name: 'veracruz-ts verifier',
    ca: true,
    now: new Date(NOW),
  });
  const verifier: Sender = {
    id: VERIFIER_SENDER_ID,
    alg: 'ES256',
    privateKey: ca.privateKey,
    publicKey: ca.publicKey,
    certificate: ca.certificatePem,
    seq: NOW * 1000,
  };
  const enclaveKeys = (await webcrypto.subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' },
    true,
    ['sign', 'verify'],
  )) as webcrypto.CryptoKeyPair;
  const enclave: Sender = {
    id: await keySenderId(enclaveKeys.publicKey),
    alg: 'ES256',
    ...enclaveKeys,
    seq: NOW * 1000,
  };
  const leaf = await issueCertificate({
    issuer: ca,
    subject: 'enclave',
    subjectPublicKey: enclaveKeys.publicKey,
    notBefore: new Date(NOW),
    notAfter: new Date(NOW + 86_400_000),
  });
  const chain = [certificateToPem(leaf), ca.certificatePem];
  const enclaveHpke = await hpkePair();
  const reader = await hpkePair();

  const vectors: unknown[] = [];
  const negative: unknown[] = [];
  let ts = NOW;

  async function envelope<K extends MessageKind>(
    sender: Sender,
    kind: K,
    body: BodyOf<K>,
  ): Promise<{ header: EnvelopeHeader; bytes: Uint8Array }> {
    const header = { kind, computation, from: sender.id, seq: ++sender.seq, ts: ++ts };
    return { header, bytes: await signEnvelope(header, body, sender.privateKey, kinds) };
  }

  async function add<K extends MessageKind>(
    name: string,
    sender: Sender,
    kind: K,
    body: BodyOf<K>,
    sealed?: { recipient: 'enclave' | 'reader'; context: SealContext; plaintext: Uint8Array },
  ): Promise<Uint8Array> {
    const { header, bytes } = await envelope(sender, kind, body);
    const items = scanMsgpack(bytes, { maxBytes: 1 << 20, maxDepth: 1 });
    vectors.push({
      name,
      sender: senderName(sender),
      envelope: hex(bytes),
      signedBytes: hex(signedPart(bytes, (items[14] as { start: number }).start)),
      expected: { v: 1, ...header, bodyBytes: hex(encodePlain(body)), body: json(body) },
      ...(sealed
        ? {
            sealed: {
              recipient: sealed.recipient,
              context: sealed.context,
              info: new TextDecoder().decode(infoOf(sealed.context)),
              plaintext: hex(sealed.plaintext),
            },
          }
        : {}),
    });
    return bytes;
  }
  const names = new Map<Sender, string>([
    [alice, 'alice'],
    [bob, 'bob'],
    [enclave, 'enclave'],
    [verifier, 'verifier'],
  ]);
  const senderName = (s: Sender): string => names.get(s) as string;

  const hello = await add('participant opens a session (ES256)', alice, 'session.hello', {});
  await add('Ed25519 participant opens a session', bob, 'session.hello', {});
  await add('verifier challenges the enclave', verifier, 'attest.challenge', {
    attestation: 'a5e55101d',
    nonce: new Uint8Array(32).fill(0xab),
    expiresAt: NOW + 60_000,
  });
  await add('verifier certifies the enclave key', verifier, 'attest.certificate', {
    attestation: 'a5e55101d',
    chain,
  });
  await add('enclave announces itself (reply to session.hello)', enclave, 'enclave.ready', {
    session,
    policyHash,
    platform: 'sim',
    chain,
  });

  const program = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00); // "\0asm" v1
  const programContext = { computation, session, path: '/program/p.wasm' };
  const programStream = await sealStream(
    enclaveHpke.raw,
    program,
    { ...programContext, purpose: 'upload' },
    'u-unused',
  );
  for (const part of programStream) {
    await add(
      'a program small enough for one message (no chunk)',
      alice,
      'provision.program',
      { session, path: programContext.path, sealed: part.sealed, size: program.length },
      {
        recipient: 'enclave',
        context: { ...programContext, purpose: 'upload' },
        plaintext: program,
      },
    );
  }
  // The last chunk of a two-chunk upload (one stream): the tail after one full UPLOAD_CHUNK_BYTES chunk.
  const tail = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  const chunk = { upload: 'u0123456789abcdef', index: 1, count: 2 };
  const dataContext: SealContext = {
    computation,
    session,
    path: '/input/data.csv',
    purpose: 'upload',
    chunk,
  };
  const dataFile = new Uint8Array(UPLOAD_CHUNK_BYTES + tail.length);
  dataFile.set(tail, UPLOAD_CHUNK_BYTES);
  const [, lastPart] = [
    ...(await sealStream(
      enclaveHpke.raw,
      dataFile,
      { computation, session, path: dataContext.path, purpose: 'upload' },
      chunk.upload,
    )),
  ];
  await add(
    'last chunk of a two-chunk data upload (Ed25519 participant)',
    bob,
    'provision.data',
    {
      session,
      path: dataContext.path,
      sealed: lastPart!.sealed,
      size: UPLOAD_CHUNK_BYTES + tail.length,
      mode: 'write',
      chunk,
    },
    { recipient: 'enclave', context: dataContext, plaintext: tail },
  );
  await add('enclave acknowledges the upload', enclave, 'provision.ack', {
    path: dataContext.path,
    received: UPLOAD_CHUNK_BYTES + tail.length,
    complete: true,
  });
  await add('participant asks for a run', alice, 'compute.request', {
    session,
    program: '/program/p.wasm',
  });
  await add('enclave reports the run', enclave, 'compute.done', {
    target: '/program/p.wasm',
    exitCode: 0,
  });
  await add('participant reads a result with a fresh key', bob, 'result.read', {
    session,
    path: '/output/result.txt',
    replyKey: reader.raw,
  });
  const result = new TextEncoder().encode('winner: bidder-3, price: 42\n');
  const resultContext: SealContext = {
    computation,
    session,
    path: '/output/result.txt',
    purpose: 'result',
  };
  await add(
    'enclave returns the result sealed to the reader',
    enclave,
    'result.data',
    {
      path: resultContext.path,
      sealed: await sealTo(reader.raw, result, resultContext),
      size: result.length,
    },
    { recipient: 'reader', context: resultContext, plaintext: result },
  );
  await add('enclave refuses a request', enclave, 'protocol.error', {
    code: 'ERR_ACCESS_DENIED',
    message: 'no read right on /output/secret',
    details: { path: '/output/secret' },
  });

  const header = (kind: string): EnvelopeHeader => ({
    kind,
    computation,
    from: alice.id,
    seq: ++alice.seq,
    ts: ++ts,
  });
  // A session channel (docs/protocol.md, "Session channels"): alice opens it to the enclave's HPKE
  // key, one request and the close go MAC-ed, the enclave answers on it and signs the receipt.
  const channel = await ParticipantChannel.create(enclaveHpke.raw, {
    computation,
    session,
    participant: alice.id,
    enclave: enclave.id,
  });
  const channels = new EnclaveChannels(enclaveHpke.pair, computation);
  const channelMessages: unknown[] = [];
  const onChannel = <K extends MessageKind>(
    name: string,
    sender: Sender,
    kind: K,
    body: BodyOf<K>,
  ): Uint8Array => {
    const toEnclave = sender === alice;
    const key = toEnclave
      ? channel.sendKey
      : (channel.macKeys(channel.idHex, enclave.id, computation) as Uint8Array);
    const header = { kind, computation, from: sender.id, seq: ++sender.seq, ts: ++ts };
    const bytes = macEnvelope(header, body, channel.id, key, kinds);
    channels.record(channel.idHex, toEnclave, header.seq, bytes);
    channelMessages.push({
      name,
      sender: senderName(sender),
      direction: toEnclave ? 'participant->enclave' : 'enclave->participant',
      envelope: hex(bytes),
      expected: { v: 2, ...header, bodyBytes: hex(encodePlain(body)), body: json(body) },
    });
    return bytes;
  };
  await add('participant opens a session channel (signed)', alice, 'session.open', {
    session,
    enc: channel.enc,
  });
  await channels.accept(alice.id, { session, enc: channel.enc });
  onChannel('enclave answers on the new channel', enclave, 'session.opened', {
    channel: channel.id,
  });
  const macedRequest = onChannel('a request on the channel', alice, 'compute.request', {
    session,
    program: '/program/p.wasm',
  });
  onChannel('its reply on the channel', enclave, 'compute.done', {
    target: '/program/p.wasm',
    exitCode: 0,
  });
  onChannel('participant closes the channel', alice, 'session.close', { session });
  const receipt = channels.close(channel.idHex);
  await add('enclave signs the channel receipt', enclave, 'session.receipt', receipt);
  const forgedMac = macedRequest.slice();
  forgedMac[forgedMac.length - 1] = (forgedMac[forgedMac.length - 1] as number) ^ 0x01;
  const unknownChannel = macEnvelope(
    header('compute.request'),
    { session, program: '/program/p.wasm' },
    new Uint8Array(16),
    channel.sendKey,
    kinds,
  );
  const channelNegative = [
    {
      name: 'a channel request with one bit of its MAC flipped',
      envelope: hex(forgedMac),
      error: 'ERR_MAC_INVALID',
    },
    {
      name: 'a channel request naming a channel nobody opened',
      envelope: hex(unknownChannel),
      error: 'ERR_CHANNEL_UNKNOWN',
    },
  ];

  const flipped = hello.slice();
  flipped[20] = (flipped[20] as number) ^ 0x01;
  negative.push({
    name: 'session.hello with one bit flipped in the header',
    sender: 'alice',
    envelope: hex(flipped),
    error: 'ERR_SIGNATURE_INVALID',
  });
  negative.push({
    name: 'session.hello cut by one byte',
    sender: 'alice',
    envelope: hex(hello.subarray(0, hello.length - 1)),
    error: 'ERR_ENVELOPE_TRUNCATED',
  });
  const signRaw = async (header: EnvelopeHeader, body: Uint8Array): Promise<Uint8Array> => {
    const unsigned = writeUnsigned(header, body);
    return writeSigned(unsigned, await signBytes(alice.privateKey, unsigned));
  };
  negative.push({
    name: 'a timestamp extension in a signed body',
    sender: 'alice',
    envelope: hex(await signRaw(header('compute.request'), Uint8Array.of(0xd6, 0xff, 0, 0, 0, 0))),
    error: 'ERR_ENVELOPE_EXTENSION_TYPE',
  });
  negative.push({
    name: 'a signed compute.request naming both a program and a pipeline',
    sender: 'alice',
    envelope: hex(
      await signRaw(
        header('compute.request'),
        encodePlain({ program: '/program/p.wasm', pipeline: 'all' }),
      ),
    ),
    error: 'ERR_BAD_MESSAGE',
  });
  negative.push({
    name: 'a signed message of a kind the protocol does not have',
    sender: 'alice',
    envelope: hex(await signRaw(header('provision.delete'), encodePlain({ path: '/input/a' }))),
    error: 'ERR_UNKNOWN_KIND',
  });

  const senders = Object.fromEntries(
    await Promise.all(
      [...names].map(async ([s, name]) => [
        name,
        {
          id: s.id,
          alg: s.alg,
          key: hex(await exportVerifyKey(s.publicKey)),
          ...(s.certificate ? { certificate: s.certificate } : {}),
        },
      ]),
    ),
  );
  const file = {
    description:
      'Veracruz-TS wire vectors (docs/protocol.md). For each vector: decode the envelope, verify ' +
      "`sig` over signedBytes with the sender's key (SPKI, hex), compare the fields, validate the " +
      "body against its kind; where `sealed` is given, open the body's `sealed` with the " +
      "recipient's HPKE private scalar and `info`, giving `plaintext`. Negative vectors must be " +
      'refused with the given code. Regenerate: node --import tsx scripts/generate-envelope-vectors.ts',
    computation,
    policyHash,
    session,
    senders,
    hpke: {
      enclave: { publicKey: hex(enclaveHpke.raw), privateKey: enclaveHpke.d },
      reader: { publicKey: hex(reader.raw), privateKey: reader.d },
    },
    vectors,
    negative,
    channel: {
      description:
        "A session channel of alice's to the enclave: `info` and `enc` give, with the enclave's HPKE " +
        'private key, the two MAC keys (HPKE export, docs/protocol.md "Session channels"); each ' +
        "message verifies under its direction's key; the transcript over them is the signed receipt's.",
      participant: 'alice',
      enclave: 'enclave',
      info: `veracruz-ts/v1 channel|${computation}|${session}|${alice.id}`,
      enc: hex(channel.enc),
      id: channel.idHex,
      toEnclave: hex(channel.sendKey),
      toParticipant: hex(channel.macKeys(channel.idHex, enclave.id, computation) as Uint8Array),
      messages: channelMessages,
      receipt: { ...receipt, channel: hex(receipt.channel) },
      negative: channelNegative,
    },
  };
  writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);

  // docs/protocol.md's vectors: one of each thing a client implements, with every intermediate value.
  const doc: string[][] = [];
  const signed = async <K extends MessageKind>(
    title: string,
    sender: Sender,
    kind: K,
    body: BodyOf<K>,
    identity: string[],
  ): Promise<void> => {
    const { header, bytes } = await envelope(sender, kind, body);
    const items = scanMsgpack(bytes, { maxBytes: 1 << 20, maxDepth: 1 });
    const unsigned = signedPart(bytes, (items[14] as { start: number }).start);
    doc.push([
      `vector: ${title}`,
      ...identity,
      `from: ${header.from}`,
      `kind: ${header.kind}`,
      `computation: ${header.computation}`,
      `seq: ${header.seq}`,
      `ts: ${header.ts}`,
      `body.json: ${JSON.stringify(json(body))}`,
      `body: ${hex(encodePlain(body))}`,
      `unsigned: ${hex(unsigned)}`,
      `signature: ${hex(bytes.subarray(bytes.length - 64))}`,
      `envelope: ${hex(bytes)}`,
    ]);
  };
  await signed('session.hello signed by an Ed25519 participant', bob, 'session.hello', {}, [
    `certificate: ${hex(Buffer.from(bob.certificate!.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'))}`,
    `key: ${hex(await rawKey(bob.publicKey))}`,
  ]);
  await signed(
    'a refusal signed by the enclave (ES256, a k: sender)',
    enclave,
    'protocol.error',
    {
      code: 'ERR_ACCESS_DENIED',
      message: 'no read right on /output/secret',
      details: { path: '/output/secret' },
    },
    [`key: ${hex(await rawKey(enclave.publicKey))}`],
  );
  const stream = async (
    title: string,
    recipient: { raw: Uint8Array; d: string },
    context: SealContext,
    plaintext: Uint8Array,
    bulkStream: string,
    extra: string[],
  ): Promise<void> => {
    const { index, count } = context.chunk ?? { index: 0, count: 1 };
    const sealer = await StreamSealer.to(recipient.raw, context);
    const sealed = sealer.seal(plaintext, index, count);
    const info = infoOf(context);
    const enc = sealed.subarray(0, 65);
    const key = await streamKey(recipient.d, enc, info);
    const nonce = Buffer.alloc(12);
    nonce.writeBigUInt64BE(BigInt(index), 4);
    const place = Buffer.alloc(9);
    place.writeUInt32BE(index, 0);
    place.writeUInt32BE(count, 4);
    place[8] = index === count - 1 ? 1 : 0;
    doc.push([
      `vector: ${title}`,
      `d: ${recipient.d}`,
      `recipient: ${hex(recipient.raw)}`,
      ...extra,
      `purpose: ${context.purpose}`,
      `computation: ${context.computation}`,
      `session: ${context.session}`,
      `path: ${context.path}`,
      `stream: ${context.chunk?.upload ?? '-'}`,
      `index: ${index}`,
      `count: ${count}`,
      `info.text: ${new TextDecoder().decode(info)}`,
      `enc: ${hex(enc)}`,
      `key: ${hex(key)}`,
      `nonce: ${hex(nonce)}`,
      `aad: ${hex(Buffer.concat([info, place]))}`,
      `plaintext: ${hex(plaintext)}`,
      `sealed: ${hex(sealed)}`,
      `bulk.subject: ${subjectsFor().bulk(context.computation, context.purpose, bulkStream, index)}`,
      `bulk.digest: ${createHash('sha256').update(sealed).digest('hex')}`,
      `bulk.size: ${sealed.length}`,
    ]);
  };
  const uploadChunk = { upload: 'u0123456789abcdef', index: 1, count: 2 };
  await stream(
    'the last chunk of a two-chunk upload stream, sealed to the enclave',
    enclaveHpke,
    { computation, session, path: '/input/data.csv', purpose: 'upload', chunk: uploadChunk },
    new TextEncoder().encode('the tail of the file, after 524288 bytes in chunk 0\n'),
    uploadChunk.upload,
    [],
  );
  await stream(
    "a result of one chunk, sealed to the reader's replyKey",
    reader,
    resultContext,
    result,
    resultBulkStream(reader.raw),
    [`replyKey: ${hex(reader.raw)}`],
  );
  const answer = {
    computation,
    policyHash,
    session,
    phase: JSON.stringify({ serving: 'idle' }),
  };
  doc.push([
    "vector: the enclave's liveness answer (unsigned plain msgpack)",
    `answer.json: ${JSON.stringify(answer)}`,
    `answer: ${hex(encodePlain(answer))}`,
  ]);
  const text = readFileSync(protocolDoc, 'utf8');
  const begin = text.indexOf('<!-- vectors:begin');
  const end = text.indexOf('<!-- vectors:end -->');
  if (begin < 0 || end < begin) throw new Error('docs/protocol.md has no vectors:begin/end marks');
  const head = text.slice(0, text.indexOf('\n', begin) + 1);
  const blocks = doc.map((lines) => `\`\`\`text\n${lines.join('\n')}\n\`\`\`\n`).join('\n');
  writeFileSync(protocolDoc, `${head}\n${blocks}\n${text.slice(end)}`);
}

/** The raw public key: 65-byte uncompressed point (P-256) or 32 bytes (Ed25519). */
async function rawKey(key: webcrypto.CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.exportKey('raw', key));
}

/** RFC 9180: the recipient's context from `enc` and its private scalar, and the stream key it exports. */
async function streamKey(d: string, enc: Uint8Array, info: Uint8Array): Promise<Uint8Array> {
  const suite = new CipherSuite({
    kem: new DhkemP256HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Aes256Gcm(),
  });
  const recipientKey = await suite.kem.importKey('raw', Buffer.from(d, 'hex'), false);
  const context = await suite.createRecipientContext({
    recipientKey,
    enc: Uint8Array.from(enc).buffer,
    info,
  });
  return new Uint8Array(
    await context.export(new TextEncoder().encode('veracruz-ts/v2 stream key'), 32),
  );
}

await main();
