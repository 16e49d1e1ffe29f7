// HPKE (RFC 9180: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM) for the protocol's secrets:
// files sealed to the enclave's attested key, results sealed to a reader's ephemeral key. A file or
// a result is one *stream*: one HPKE context (one KEM) whose `info` binds computation, enclave
// session, path and stream id; its exporter gives a 32-byte stream key; each chunk is then sealed
// with AES-256-GCM (node:crypto) under that key, the nonce being the chunk's index and the AAD
// binding `info`, the index, the count and an end-of-stream flag. So chunks cannot be reordered,
// substituted (from another stream), dropped or replayed into another file or session without
// failing to open. Every sealed chunk is `enc (65 bytes) || ciphertext || tag (16 bytes)`: any chunk
// opens on its own once its stream's key is derived, so a receiver may take them in any order. A
// single message is a stream of one chunk. docs/protocol.md ("Sealing") specifies the bytes.
import { Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from '@hpke/core';
import { createCipheriv, createDecipheriv, timingSafeEqual, webcrypto } from 'node:crypto';
import { type ChunkInfo, ProtocolError } from '../protocol/index.js';

const suite = new CipherSuite({
  kem: new DhkemP256HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes256Gcm(),
});
const ENC_LENGTH = 65;
const TAG_LENGTH = 16;
const NONCE_LENGTH = 12;
const encoder = new TextEncoder();
/** HPKE exporter context of the stream key (RFC 9180 section 5.3). */
const STREAM_KEY_LABEL = encoder.encode('veracruz-ts/v2 stream key');

/**
 * Stream chunk size: one chunk, sealed and in its signed envelope, stays below nats-server's default
 * `max_payload` (1 MiB).
 */
export const UPLOAD_CHUNK_BYTES = 512 * 1024;

export interface SealContext {
  readonly computation: string;
  readonly session: string;
  readonly path: string;
  /** The chunk's place in its stream (its `upload` is the stream id); absent: one message. */
  readonly chunk?: ChunkInfo;
  /** `upload` for files to the enclave, `result` for results to a reader. */
  readonly purpose: 'upload' | 'result';
}

const SINGLE: ChunkInfo = { upload: '-', index: 0, count: 1 };

/** `veracruz-ts/v2|<purpose>|<computation>|<session>|<path>|<stream id>` (`-` for one message). */
export function infoOf(c: SealContext): Uint8Array {
  return encoder.encode(
    `veracruz-ts/v2|${c.purpose}|${c.computation}|${c.session}|${c.path}|${(c.chunk ?? SINGLE).upload}`,
  );
}

/** `info || index (u32 BE) || count (u32 BE) || last (1 byte: 1 on the last chunk, else 0)`. */
function aadOf(info: Uint8Array, index: number, count: number): Uint8Array {
  const aad = new Uint8Array(info.length + 9);
  aad.set(info, 0);
  const view = new DataView(aad.buffer);
  view.setUint32(info.length, index);
  view.setUint32(info.length + 4, count);
  aad[info.length + 8] = index === count - 1 ? 1 : 0;
  return aad;
}

/** 4 zero bytes || index (u64 BE): unique per chunk of a stream, and each stream has its own key. */
function nonceOf(index: number): Uint8Array {
  const nonce = new Uint8Array(NONCE_LENGTH);
  new DataView(nonce.buffer).setBigUint64(4, BigInt(index));
  return nonce;
}

function placeOf(c: SealContext): { index: number; count: number } {
  const { index, count } = c.chunk ?? SINGLE;
  return { index, count };
}

/** The sending side of one stream: one KEM, then one AES-256-GCM seal per chunk. */
export class StreamSealer {
  readonly #key: Uint8Array;
  readonly #enc: Uint8Array;
  readonly #info: Uint8Array;

  private constructor(key: Uint8Array, enc: Uint8Array, info: Uint8Array) {
    this.#key = key;
    this.#enc = enc;
    this.#info = info;
  }

  /** A fresh stream to `recipientRaw` (raw P-256 point) in `context` (its `chunk` names the stream). */
  static async to(recipientRaw: Uint8Array, context: SealContext): Promise<StreamSealer> {
    const recipientPublicKey = await suite.kem.deserializePublicKey(
      Uint8Array.from(recipientRaw).buffer,
    );
    const info = infoOf(context);
    const sender = await suite.createSenderContext({ recipientPublicKey, info });
    const key = new Uint8Array(await sender.export(STREAM_KEY_LABEL, 32));
    return new StreamSealer(key, new Uint8Array(sender.enc), info);
  }

  /** Seals chunk `index` of `count`: `enc || ciphertext || tag`. */
  seal(plaintext: Uint8Array, index: number, count: number): Uint8Array {
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonceOf(index));
    cipher.setAAD(aadOf(this.#info, index, count));
    const out = new Uint8Array(ENC_LENGTH + plaintext.length + TAG_LENGTH);
    out.set(this.#enc, 0);
    const body = cipher.update(plaintext);
    out.set(body, ENC_LENGTH);
    const last = cipher.final();
    out.set(last, ENC_LENGTH + body.length);
    out.set(cipher.getAuthTag(), ENC_LENGTH + body.length + last.length);
    return out;
  }
}

/** The receiving side of one stream: the KEM once (from any chunk's `enc`), then each chunk. */
export class StreamOpener {
  readonly #key: Uint8Array;
  readonly #enc: Uint8Array;
  readonly #info: Uint8Array;
  readonly #context: SealContext;

  private constructor(key: Uint8Array, enc: Uint8Array, info: Uint8Array, context: SealContext) {
    this.#key = key;
    this.#enc = enc;
    this.#info = info;
    this.#context = context;
  }

  /** Derives the stream key from `sealed`'s `enc` (any chunk of the stream). */
  static async from(
    recipient: webcrypto.CryptoKeyPair | webcrypto.CryptoKey,
    sealed: Uint8Array,
    context: SealContext,
  ): Promise<StreamOpener> {
    if (sealed.length < ENC_LENGTH + TAG_LENGTH) throw sealFailure(context);
    const enc = sealed.slice(0, ENC_LENGTH);
    const info = infoOf(context);
    try {
      const receiver = await suite.createRecipientContext({
        recipientKey: recipient as never,
        enc: enc.buffer,
        info,
      });
      const key = new Uint8Array(await receiver.export(STREAM_KEY_LABEL, 32));
      return new StreamOpener(key, enc, info, context);
    } catch (cause) {
      throw sealFailure(context, cause);
    }
  }

  /** Opens chunk `index` of `count`; a chunk of another stream, place or tampered fails. */
  open(sealed: Uint8Array, index: number, count: number): Uint8Array {
    if (
      sealed.length < ENC_LENGTH + TAG_LENGTH ||
      !timingSafeEqual(sealed.subarray(0, ENC_LENGTH), this.#enc)
    )
      throw sealFailure(this.#context);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, nonceOf(index));
      decipher.setAAD(aadOf(this.#info, index, count));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
      const body = decipher.update(sealed.subarray(ENC_LENGTH, sealed.length - TAG_LENGTH));
      const last = decipher.final();
      const plain = last.length === 0 ? body : Buffer.concat([body, last]);
      return new Uint8Array(plain.buffer, plain.byteOffset, plain.length); // a view, not a copy
    } catch (cause) {
      throw sealFailure(this.#context, cause);
    }
  }
}

/** Seals one message (or one chunk, at `context.chunk`) in a stream of its own. */
export async function sealTo(
  recipientRaw: Uint8Array,
  plaintext: Uint8Array,
  context: SealContext,
): Promise<Uint8Array> {
  const { index, count } = placeOf(context);
  return (await StreamSealer.to(recipientRaw, context)).seal(plaintext, index, count);
}

/** Opens a sealed payload in exactly `context`; any mismatch or tampering is ERR_SEAL_OPEN_FAILED. */
export async function openSealed(
  recipient: webcrypto.CryptoKeyPair | webcrypto.CryptoKey,
  sealed: Uint8Array,
  context: SealContext,
): Promise<Uint8Array> {
  const { index, count } = placeOf(context);
  return (await StreamOpener.from(recipient, sealed, context)).open(sealed, index, count);
}

/** One sealed piece of an upload, with the `chunk` its `provision.*` body carries (if chunked). */
export interface SealedPart {
  readonly sealed: Uint8Array;
  readonly chunk?: ChunkInfo;
  /** Plaintext bytes of the file covered up to and including this part. */
  readonly end: number;
}

/** The opened chunks of a stream, in order, as one buffer of `size` bytes (one copy, no zero fill). */
export function joinChunks(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  // Never pooled: the result's `buffer` holds this file and nothing else.
  const buffer = Buffer.allocUnsafeSlow(size);
  const out = new Uint8Array(buffer.buffer, buffer.byteOffset, size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Chunks of a stream of `size` bytes (at least one, so an empty file is one empty chunk). */
export function chunkCount(size: number): number {
  return Math.max(1, Math.ceil(size / UPLOAD_CHUNK_BYTES));
}

/**
 * Splits `bytes` into UPLOAD_CHUNK_BYTES pieces and seals them as one stream (one KEM), each when
 * it is pulled. A stream of one chunk travels without `chunk` (the receiver reads that as stream
 * `-`, index 0 of 1).
 */
export async function sealStream(
  recipientRaw: Uint8Array,
  bytes: Uint8Array,
  context: Omit<SealContext, 'chunk'>,
  streamId: string,
): Promise<Iterable<SealedPart> & { readonly count: number }> {
  const count = chunkCount(bytes.length);
  const place = (index: number): ChunkInfo | undefined =>
    count > 1 ? { upload: streamId, index, count } : undefined;
  const sealer = await StreamSealer.to(recipientRaw, { ...context, chunk: place(0) ?? SINGLE });
  return {
    count,
    *[Symbol.iterator]() {
      for (let index = 0; index < count; index++) {
        const end = Math.min(bytes.length, (index + 1) * UPLOAD_CHUNK_BYTES);
        const sealed = sealer.seal(bytes.subarray(index * UPLOAD_CHUNK_BYTES, end), index, count);
        const chunk = place(index);
        yield chunk ? { sealed, chunk, end } : { sealed, end };
      }
    },
  };
}

function sealFailure(context: SealContext, cause?: unknown): ProtocolError {
  return new ProtocolError(
    'ERR_SEAL_OPEN_FAILED',
    `sealed payload for ${context.path} does not open`,
    {
      cause,
      details: { path: context.path },
    },
  );
}

/** A fresh ephemeral HPKE key pair for reading a result, with its raw public point. */
export async function ephemeralKeyPair(): Promise<{
  keyPair: webcrypto.CryptoKeyPair;
  publicRaw: Uint8Array;
}> {
  const keyPair = (await webcrypto.subtle.generateKey(
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    ['deriveBits'],
  )) as webcrypto.CryptoKeyPair;
  const publicRaw = new Uint8Array(await webcrypto.subtle.exportKey('raw', keyPair.publicKey));
  return { keyPair, publicRaw };
}

/** The two MAC keys of a participant's session channel (docs/protocol.md, "Session channels"). */
export interface ChannelSecrets {
  /** Authenticates the participant's requests. */
  readonly toEnclave: Uint8Array;
  /** Authenticates the enclave's replies. */
  readonly toParticipant: Uint8Array;
}

const TO_ENCLAVE_LABEL = encoder.encode('veracruz-ts/v1 channel mac participant->enclave');
const TO_PARTICIPANT_LABEL = encoder.encode('veracruz-ts/v1 channel mac enclave->participant');

async function channelSecrets(context: {
  export(label: ArrayBuffer | Uint8Array, length: number): Promise<ArrayBuffer>;
}): Promise<ChannelSecrets> {
  return {
    toEnclave: new Uint8Array(await context.export(TO_ENCLAVE_LABEL, 32)),
    toParticipant: new Uint8Array(await context.export(TO_PARTICIPANT_LABEL, 32)),
  };
}

/** The participant's side: one KEM to the enclave's attested key; `enc` goes in `session.open`. */
export async function channelSecretsTo(
  recipientRaw: Uint8Array,
  info: Uint8Array,
): Promise<{ enc: Uint8Array; secrets: ChannelSecrets }> {
  const recipientPublicKey = await suite.kem.deserializePublicKey(
    Uint8Array.from(recipientRaw).buffer,
  );
  const sender = await suite.createSenderContext({ recipientPublicKey, info });
  return { enc: new Uint8Array(sender.enc), secrets: await channelSecrets(sender) };
}

/** The enclave's side: the same secrets from `enc` and its HPKE key pair (ERR_SEAL_OPEN_FAILED). */
export async function channelSecretsFrom(
  recipient: webcrypto.CryptoKeyPair,
  enc: Uint8Array,
  info: Uint8Array,
): Promise<ChannelSecrets> {
  try {
    const receiver = await suite.createRecipientContext({
      recipientKey: recipient as never,
      enc: Uint8Array.from(enc).buffer,
      info,
    });
    return await channelSecrets(receiver);
  } catch (cause) {
    throw new ProtocolError('ERR_SEAL_OPEN_FAILED', 'the session channel key does not open', {
      cause,
    });
  }
}
