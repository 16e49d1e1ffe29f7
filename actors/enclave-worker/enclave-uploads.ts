// Reassembles chunked uploads (phase 8) inside the enclave: each chunk is opened with HPKE against
// the enclave's key and an `info` naming its exact place, and must arrive in order; the file is
// complete when the last chunk opened. Nothing reaches the machine before that. A complete upload
// comes with the SHA-256 of its sealed chunks: public bytes (they crossed the bus), so their digest
// may name the plaintext in machine events where a digest of the plaintext itself may not.
//
// An upload is bounded from its first chunk on: its declared size is reserved against the sender's
// budget of bytes buffered, and a sender has at most so many uploads open at once (UPLOAD_LIMITS,
// stated in docs/protocol-flow.md). An upload that could never complete within them is refused
// before anything of it is buffered; a chunk that would carry more than the declared size is refused
// at once. Any refused chunk ends its upload and gives its reservation back.
import { createHash, type Hash, type webcrypto } from 'node:crypto';
import { type ChunkInfo, type ProvisionDataBody, ProtocolError } from '../../protocol/index.js';
import { openSealed } from '../../transport/index.js';

interface Upload {
  readonly from: string;
  readonly path: string;
  readonly count: number;
  readonly size: number;
  readonly parts: Uint8Array[];
  readonly sealed: Hash;
  received: number;
}

export interface UploadLimits {
  /** Uploads one sender may have open (first chunk accepted, last not yet) at once. */
  readonly maxOpenPerSender: number;
  /** Sum of the declared sizes of one sender's open uploads: what the enclave may buffer for it. */
  readonly maxBufferedPerSender: number;
}

const UPLOAD_LIMITS: UploadLimits = {
  maxOpenPerSender: 4,
  maxBufferedPerSender: 256 * 2 ** 20,
};

export type UploadProgress =
  | { readonly complete: false; readonly received: number }
  | {
      readonly complete: true;
      readonly received: number;
      readonly bytes: Uint8Array;
      /** SHA-256 (hex) of the sealed chunks in order. */
      readonly sealedDigest: string;
    };

type UploadBody = Omit<ProvisionDataBody, 'mode' | 'session'>;

const SINGLE: ChunkInfo = { upload: '-', index: 0, count: 1 };

export class Uploads {
  readonly #open = new Map<string, Upload>();
  readonly #hpke: webcrypto.CryptoKeyPair;
  readonly #computation: string;
  readonly #session: string;
  readonly #limits: UploadLimits;
  /** Chunks are taken one at a time: each one's checks see every earlier chunk's bookkeeping. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    hpke: webcrypto.CryptoKeyPair,
    computation: string,
    session: string,
    limits: UploadLimits = UPLOAD_LIMITS,
  ) {
    this.#hpke = hpke;
    this.#computation = computation;
    this.#session = session;
    this.#limits = limits;
  }

  accept(from: string, body: UploadBody): Promise<UploadProgress> {
    const next = this.#queue.then(() => this.#accept(from, body));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #accept(from: string, body: UploadBody): Promise<UploadProgress> {
    const chunk = body.chunk ?? SINGLE;
    const key = `${from}|${chunk.upload}`;
    const upload = this.#open.get(key) ?? this.#begin(from, body, chunk);
    try {
      if (
        upload.path !== body.path ||
        upload.count !== chunk.count ||
        upload.size !== body.size ||
        chunk.index !== upload.parts.length
      ) {
        throw new ProtocolError('ERR_BAD_MESSAGE', 'chunk out of order or not of this upload', {
          details: { path: body.path, index: chunk.index },
        });
      }
      const part = await openSealed(this.#hpke, body.sealed, {
        computation: this.#computation,
        session: this.#session,
        path: body.path,
        purpose: 'upload',
        ...(body.chunk ? { chunk: body.chunk } : {}),
      });
      if (upload.received + part.length > upload.size) {
        throw new ProtocolError('ERR_BAD_MESSAGE', 'upload larger than its declared size', {
          details: { path: body.path, size: upload.size },
        });
      }
      upload.parts.push(part);
      upload.sealed.update(body.sealed);
      upload.received += part.length;
      if (upload.parts.length < upload.count) {
        this.#open.set(key, upload);
        return { complete: false, received: upload.received };
      }
      this.#open.delete(key);
      if (upload.received !== upload.size) {
        throw new ProtocolError('ERR_BAD_MESSAGE', 'upload size differs from its declaration', {
          details: { path: body.path },
        });
      }
      return {
        complete: true,
        received: upload.received,
        bytes: concat(upload.parts, upload.received),
        sealedDigest: upload.sealed.digest('hex'),
      };
    } catch (error) {
      this.#open.delete(key);
      throw error;
    }
  }

  /** A new upload, admitted only within the sender's limits (its chunks are checked by the caller). */
  #begin(from: string, body: UploadBody, chunk: ChunkInfo): Upload {
    if (chunk.count < 1 || chunk.index >= chunk.count) {
      throw new ProtocolError('ERR_BAD_MESSAGE', 'chunk index outside its upload', {
        details: { path: body.path, index: chunk.index, count: chunk.count },
      });
    }
    const mine = [...this.#open.values()].filter((u) => u.from === from);
    if (mine.length >= this.#limits.maxOpenPerSender) {
      throw new ProtocolError('ERR_UPLOAD_LIMIT', 'too many uploads open at once', {
        details: { path: body.path, open: mine.length, max: this.#limits.maxOpenPerSender },
      });
    }
    const reserved = mine.reduce((sum, u) => sum + u.size, 0);
    if (reserved + body.size > this.#limits.maxBufferedPerSender) {
      throw new ProtocolError('ERR_UPLOAD_LIMIT', 'upload larger than the enclave buffers', {
        details: {
          path: body.path,
          size: body.size,
          reserved,
          max: this.#limits.maxBufferedPerSender,
        },
      });
    }
    return {
      from,
      path: body.path,
      count: chunk.count,
      size: body.size,
      parts: [],
      sealed: createHash('sha256'),
      received: 0,
    };
  }
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
