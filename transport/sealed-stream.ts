// Chunked HPKE sealing for large payloads: one HPKE context per stream (one `enc`), one AEAD
// seal per chunk. Each chunk's AAD binds its index, whether it is the final chunk, and the stream's
// total size and chunk size; the receiver rebuilds the AAD from what IT expects next, never from
// what the chunk claims. Hence:
//   reordering      -> wrong HPKE sequence nonce and wrong index in the AAD  -> refused
//   substitution    -> a chunk from another stream was sealed under another key -> refused
//   truncation      -> `finish()` without the final chunk -> refused
//   extension       -> any chunk after the final one -> refused
// AAD = msgpack fixarray(5) [ "vc-chunk-v1", index, final, totalBytes, chunkSize ].
import { TransportError } from './errors.js';
import {
  hpkeInfo,
  hpkeSuite,
  type CryptoKey,
  type CryptoKeyPair,
  type SealContext,
} from './hpke.js';
import { MsgpackWriter } from './msgpack-write.js';

export const chunkAadLabel = 'vc-chunk-v1';
export const defaultChunkSize = 256 * 1024;

export interface StreamParams {
  readonly totalBytes: number;
  readonly chunkSize: number;
}

export interface SealedChunk {
  readonly index: number;
  readonly final: boolean;
  readonly ct: Uint8Array;
}

type SenderContext = Awaited<ReturnType<typeof hpkeSuite.createSenderContext>>;
type RecipientContext = Awaited<ReturnType<typeof hpkeSuite.createRecipientContext>>;

export function chunkCount(p: StreamParams): number {
  return Math.max(1, Math.ceil(p.totalBytes / p.chunkSize));
}

export function chunkAad(index: number, final: boolean, p: StreamParams): Uint8Array {
  const w = new MsgpackWriter();
  w.arrayHeader(5);
  w.str(chunkAadLabel);
  w.uint(index);
  w.bool(final);
  w.uint(p.totalBytes);
  w.uint(p.chunkSize);
  return w.concat();
}

function checkParams(p: StreamParams): void {
  const ok =
    Number.isSafeInteger(p.totalBytes) &&
    p.totalBytes >= 0 &&
    Number.isSafeInteger(p.chunkSize) &&
    p.chunkSize > 0;
  if (!ok) throw invalid('bad stream parameters', {});
}

function invalid(
  message: string,
  details: Record<string, unknown>,
  cause?: unknown,
): TransportError {
  return new TransportError('ERR_SEALED_STREAM_INVALID', message, { details, cause });
}

/** Expected plaintext length of chunk `index`. */
function expectedLength(index: number, p: StreamParams): number {
  return Math.min(p.chunkSize, p.totalBytes - index * p.chunkSize);
}

export class SealedStreamWriter {
  readonly params: StreamParams;
  readonly #ctx: SenderContext;
  #next = 0;

  private constructor(ctx: SenderContext, params: StreamParams) {
    this.#ctx = ctx;
    this.params = params;
  }

  static async create(
    recipient: CryptoKey,
    context: SealContext,
    params: StreamParams,
  ): Promise<SealedStreamWriter> {
    checkParams(params);
    const ctx = await hpkeSuite.createSenderContext({
      recipientPublicKey: recipient as unknown as Parameters<
        typeof hpkeSuite.createSenderContext
      >[0]['recipientPublicKey'],
      info: hpkeInfo(context),
    });
    return new SealedStreamWriter(ctx, params);
  }

  /** The encapsulated key, sent once with the stream's first message. */
  get enc(): Uint8Array {
    return new Uint8Array(this.#ctx.enc);
  }

  get done(): boolean {
    return this.#next >= chunkCount(this.params);
  }

  /** Seals the next chunk; its length must be `chunkSize` except for the last one. */
  async seal(plaintext: Uint8Array): Promise<SealedChunk> {
    const index = this.#next;
    if (this.done) throw invalid('stream already complete', { index });
    if (plaintext.length !== expectedLength(index, this.params))
      throw invalid('chunk has the wrong length', { index });
    const final = index === chunkCount(this.params) - 1;
    this.#next++;
    const ct = new Uint8Array(await this.#ctx.seal(plaintext, chunkAad(index, final, this.params)));
    return { index, final, ct };
  }
}

export class SealedStreamReader {
  readonly params: StreamParams;
  readonly #ctx: RecipientContext;
  #next = 0;

  private constructor(ctx: RecipientContext, params: StreamParams) {
    this.#ctx = ctx;
    this.params = params;
  }

  static async create(
    recipient: CryptoKeyPair | CryptoKey,
    enc: Uint8Array,
    context: SealContext,
    params: StreamParams,
  ): Promise<SealedStreamReader> {
    checkParams(params);
    try {
      const ctx = await hpkeSuite.createRecipientContext({
        recipientKey: recipient as unknown as Parameters<
          typeof hpkeSuite.createRecipientContext
        >[0]['recipientKey'],
        enc,
        info: hpkeInfo(context),
      });
      return new SealedStreamReader(ctx, params);
    } catch (cause) {
      throw new TransportError('ERR_DECRYPT_FAILED', 'stream key does not decapsulate', { cause });
    }
  }

  get done(): boolean {
    return this.#next >= chunkCount(this.params);
  }

  /** Opens the next chunk in order. A failed chunk poisons the stream (no resynchronisation). */
  async open(chunk: SealedChunk): Promise<Uint8Array> {
    const index = this.#next;
    if (this.done) throw invalid('chunk after the final chunk', { index: chunk.index });
    const final = index === chunkCount(this.params) - 1;
    if (chunk.index !== index || chunk.final !== final)
      throw invalid('chunk out of order', { expected: index, got: chunk.index });
    this.#next = Number.POSITIVE_INFINITY; // poisoned unless this chunk opens
    let plaintext: Uint8Array;
    try {
      plaintext = new Uint8Array(
        await this.#ctx.open(chunk.ct, chunkAad(index, final, this.params)),
      );
    } catch (cause) {
      throw invalid('chunk does not open: tampered, substituted or reordered', { index }, cause);
    }
    if (plaintext.length !== expectedLength(index, this.params))
      throw invalid('chunk has the wrong length', { index });
    this.#next = index + 1;
    return plaintext;
  }

  /** Throws unless every chunk, the final one included, has been opened. */
  finish(): void {
    if (this.#next !== chunkCount(this.params))
      throw invalid('stream truncated', {
        received: this.#next,
        expected: chunkCount(this.params),
      });
  }
}

/** Seals a whole payload into chunks (convenience for payloads already in memory). */
export async function sealChunks(
  recipient: CryptoKey,
  context: SealContext,
  data: Uint8Array,
  chunkSize = defaultChunkSize,
): Promise<{ enc: Uint8Array; params: StreamParams; chunks: SealedChunk[] }> {
  const params = { totalBytes: data.length, chunkSize };
  const writer = await SealedStreamWriter.create(recipient, context, params);
  const chunks: SealedChunk[] = [];
  for (let i = 0; i < chunkCount(params); i++)
    chunks.push(
      await writer.seal(data.subarray(i * chunkSize, i * chunkSize + expectedLength(i, params))),
    );
  return { enc: writer.enc, params, chunks };
}

/** Opens and reassembles a whole chunked payload. */
export async function openChunks(
  recipient: CryptoKeyPair | CryptoKey,
  context: SealContext,
  enc: Uint8Array,
  params: StreamParams,
  chunks: Iterable<SealedChunk>,
  maxBytes = 1 << 30,
): Promise<Uint8Array> {
  // totalBytes is the sender's claim: bound it before allocating
  if (params.totalBytes > maxBytes)
    throw new TransportError('ERR_ENVELOPE_TOO_LARGE', 'stream larger than allowed', {
      details: { totalBytes: params.totalBytes, max: maxBytes },
    });
  const reader = await SealedStreamReader.create(recipient, enc, context, params);
  const out = new Uint8Array(params.totalBytes);
  let at = 0;
  for (const chunk of chunks) {
    const plain = await reader.open(chunk);
    out.set(plain, at);
    at += plain.length;
  }
  reader.finish();
  return out;
}
