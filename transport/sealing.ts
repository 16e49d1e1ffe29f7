// HPKE (RFC 9180: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM) for the protocol's secrets:
// files sealed to the enclave's attested key, results sealed to a reader's ephemeral key. Every
// sealed payload is `enc (65 bytes) || ciphertext`, and `info` binds computation, enclave session,
// path and, for uploads, the chunk's place (upload id, index, count), so chunks cannot be reordered,
// substituted, dropped or replayed into another file or session without failing to open.
// Each chunk is its own single-shot seal (its own `enc`), so a receiver needs no stream state beyond
// the next index it expects (actors/enclave-worker/enclave-uploads.ts). docs/protocol.md specifies the bytes.
import { Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from '@hpke/core';
import { webcrypto } from 'node:crypto';
import { type ChunkInfo, ProtocolError } from '../protocol/index.js';

const suite = new CipherSuite({
  kem: new DhkemP256HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes256Gcm(),
});
const ENC_LENGTH = 65;
const TAG_LENGTH = 16;
const encoder = new TextEncoder();

/**
 * Upload chunk size: one chunk, sealed and in its signed envelope, stays below nats-server's default
 * `max_payload` (1 MiB).
 */
export const UPLOAD_CHUNK_BYTES = 512 * 1024;

export interface SealContext {
  readonly computation: string;
  readonly session: string;
  readonly path: string;
  /** For uploads: the chunk's place. */
  readonly chunk?: ChunkInfo;
  /** `upload` for files to the enclave, `result` for results to a reader. */
  readonly purpose: 'upload' | 'result';
}

/** `veracruz-ts/v1|<purpose>|<computation>|<session>|<path>|<upload>|<index>|<count>` (or `|-`). */
export function infoOf(c: SealContext): Uint8Array {
  const chunk = c.chunk ? `${c.chunk.upload}|${c.chunk.index}|${c.chunk.count}` : '-';
  return encoder.encode(
    `veracruz-ts/v1|${c.purpose}|${c.computation}|${c.session}|${c.path}|${chunk}`,
  );
}

export async function sealTo(
  recipientRaw: Uint8Array,
  plaintext: Uint8Array,
  context: SealContext,
): Promise<Uint8Array> {
  const recipientPublicKey = await suite.kem.deserializePublicKey(
    Uint8Array.from(recipientRaw).buffer,
  );
  const { ct, enc } = await suite.seal({ recipientPublicKey, info: infoOf(context) }, plaintext);
  const out = new Uint8Array(enc.byteLength + ct.byteLength);
  out.set(new Uint8Array(enc), 0);
  out.set(new Uint8Array(ct), enc.byteLength);
  return out;
}

/** Opens a sealed payload in exactly `context`; any mismatch or tampering is ERR_SEAL_OPEN_FAILED. */
export async function openSealed(
  recipient: webcrypto.CryptoKeyPair | webcrypto.CryptoKey,
  sealed: Uint8Array,
  context: SealContext,
): Promise<Uint8Array> {
  if (sealed.length < ENC_LENGTH + TAG_LENGTH) throw sealFailure(context);
  try {
    const pt = await suite.open(
      { recipientKey: recipient as never, enc: sealed.slice(0, ENC_LENGTH), info: infoOf(context) },
      sealed.slice(ENC_LENGTH),
    );
    return new Uint8Array(pt);
  } catch (cause) {
    throw sealFailure(context, cause);
  }
}

/** One sealed piece of an upload, with the `chunk` its `provision.*` body carries (if chunked). */
export interface SealedPart {
  readonly sealed: Uint8Array;
  readonly chunk?: ChunkInfo;
  /** Plaintext bytes of the file covered up to and including this part. */
  readonly end: number;
}

/**
 * Splits a file into UPLOAD_CHUNK_BYTES pieces and seals each to its place. A file that fits in one
 * chunk travels without `chunk` (the receiver reads that as upload `-`, index 0 of 1).
 */
export async function* sealUpload(
  recipientRaw: Uint8Array,
  bytes: Uint8Array,
  context: Omit<SealContext, 'chunk' | 'purpose'>,
  uploadId: string,
): AsyncGenerator<SealedPart> {
  const count = Math.max(1, Math.ceil(bytes.length / UPLOAD_CHUNK_BYTES));
  for (let index = 0; index < count; index++) {
    const end = Math.min(bytes.length, (index + 1) * UPLOAD_CHUNK_BYTES);
    const part = bytes.subarray(index * UPLOAD_CHUNK_BYTES, end);
    const chunk = count > 1 ? { upload: uploadId, index, count } : undefined;
    const sealed = await sealTo(recipientRaw, part, {
      ...context,
      purpose: 'upload',
      ...(chunk ? { chunk } : {}),
    });
    yield chunk ? { sealed, chunk, end } : { sealed, end };
  }
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
