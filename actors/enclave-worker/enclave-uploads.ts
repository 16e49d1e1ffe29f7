// Reassembles chunked uploads (phase 8) inside the enclave. An upload is one sealed stream
// (transport/sealing.ts): the first chunk to arrive derives the stream key (one HPKE decapsulation
// against the enclave's key, with an `info` naming computation, session, path and upload id); every
// chunk then opens with AES-256-GCM at its own index, so chunks may arrive in any order (a sender
// keeps a window of them in flight). The file is complete when every chunk has opened; nothing
// reaches the machine before that. A chunk that fails ends its upload for good: later chunks of the
// same upload id are refused, so no partial file is ever kept. A complete upload comes with a digest
// of its sealed chunks: public bytes (they crossed the bus), so it may name the plaintext in machine
// events where a digest of the plaintext itself may not.
//
// An upload is bounded from its first chunk on: its declared size is reserved against the sender's
// budget of bytes buffered, and a sender has at most so many uploads open at once (UPLOAD_LIMITS,
// stated in docs/protocol-flow.md). An upload that could never complete within them is refused
// before anything of it is buffered; a chunk that would carry more than the declared size is refused
// at once. Any refused chunk ends its upload and gives its reservation back.
import { createHash, type webcrypto } from 'node:crypto';
import { type ChunkInfo, type ProvisionDataBody, ProtocolError } from '../../protocol/index.js';
import { joinChunks, StreamOpener } from '../../transport/index.js';

interface Upload {
  readonly from: string;
  readonly path: string;
  readonly count: number;
  readonly size: number;
  /** Opened chunks by index, and the SHA-256 of each sealed chunk. */
  readonly parts: Map<number, { readonly plain: Uint8Array; readonly digest: Buffer }>;
  readonly opener: StreamOpener;
  arrived: number;
  received: number;
}

/** Failed multi-chunk uploads remembered, so their late chunks cannot start them again. */
const FAILED_REMEMBERED = 1024;

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
      /** SHA-256 (hex) over the SHA-256 of each sealed chunk, in index order. */
      readonly sealedDigest: string;
    };

/** A chunk with its sealed bytes at hand (inline, or taken from its bulk subject by the shell). */
type UploadBody = Omit<ProvisionDataBody, 'mode' | 'session' | 'sealed' | 'bulk'> & {
  readonly sealed: Uint8Array;
  /** The SHA-256 (hex) of `sealed` when already checked (a bulk chunk's), so it is not hashed twice. */
  readonly digest?: string;
};

const SINGLE: ChunkInfo = { upload: '-', index: 0, count: 1 };

export class Uploads {
  readonly #open = new Map<string, Upload>();
  readonly #failed = new Set<string>();
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
    if (this.#failed.has(key)) {
      throw new ProtocolError('ERR_BAD_MESSAGE', 'chunk of an upload that already failed', {
        details: { path: body.path, index: chunk.index },
      });
    }
    // A chunk refused before its upload was admitted (limits, malformed) leaves nothing behind and
    // may be sent again; once admitted, any failure ends the upload for good.
    let admitted = this.#open.has(key);
    try {
      const upload = this.#open.get(key) ?? (await this.#begin(from, body, chunk));
      admitted = true;
      if (
        upload.path !== body.path ||
        upload.count !== chunk.count ||
        upload.size !== body.size ||
        chunk.index >= upload.count ||
        upload.parts.has(chunk.index)
      ) {
        throw new ProtocolError('ERR_BAD_MESSAGE', 'chunk repeated or not of this upload', {
          details: { path: body.path, index: chunk.index },
        });
      }
      const part = upload.opener.open(body.sealed, chunk.index, chunk.count);
      if (upload.received + part.length > upload.size) {
        throw new ProtocolError('ERR_BAD_MESSAGE', 'upload larger than its declared size', {
          details: { path: body.path, size: upload.size },
        });
      }
      upload.parts.set(chunk.index, {
        plain: part,
        digest:
          body.digest === undefined
            ? createHash('sha256').update(body.sealed).digest()
            : Buffer.from(body.digest, 'hex'),
      });
      upload.received += part.length;
      upload.arrived++;
      if (upload.arrived < upload.count) {
        this.#open.set(key, upload);
        return { complete: false, received: upload.received };
      }
      this.#open.delete(key);
      if (upload.received !== upload.size) {
        throw new ProtocolError('ERR_BAD_MESSAGE', 'upload size differs from its declaration', {
          details: { path: body.path },
        });
      }
      const sealed = createHash('sha256');
      const plain: Uint8Array[] = [];
      for (let index = 0; index < upload.count; index++) {
        const part = upload.parts.get(index)!;
        sealed.update(part.digest);
        plain.push(part.plain);
      }
      return {
        complete: true,
        received: upload.received,
        bytes: joinChunks(plain, upload.received),
        sealedDigest: sealed.digest('hex'),
      };
    } catch (error) {
      this.#open.delete(key);
      if (admitted && chunk.count > 1) this.#forget(key);
      throw error;
    }
  }

  /**
   * Ends the upload of a chunk whose bytes could not be had (its bulk bytes missing or of another
   * digest): like any failed chunk, the upload is over and its reservation given back.
   */
  abandon(from: string, chunk: ChunkInfo | undefined): Promise<void> {
    const next = this.#queue.then(() => {
      if (!chunk || chunk.count <= 1) return;
      const key = `${from}|${chunk.upload}`;
      this.#open.delete(key);
      this.#forget(key);
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Remembers a failed upload (boundedly: the oldest is forgotten first). */
  #forget(key: string): void {
    this.#failed.add(key);
    if (this.#failed.size > FAILED_REMEMBERED)
      this.#failed.delete(this.#failed.values().next().value!);
  }

  /** A new upload, admitted only within the sender's limits (its chunks are checked by the caller). */
  async #begin(from: string, body: UploadBody, chunk: ChunkInfo): Promise<Upload> {
    // Every chunk but an empty file's one carries at least one byte.
    if (chunk.count < 1 || chunk.index >= chunk.count || chunk.count > Math.max(1, body.size)) {
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
    const opener = await StreamOpener.from(this.#hpke, body.sealed, {
      computation: this.#computation,
      session: this.#session,
      path: body.path,
      purpose: 'upload',
      chunk,
    });
    return {
      from,
      path: body.path,
      count: chunk.count,
      size: body.size,
      parts: new Map(),
      opener,
      arrived: 0,
      received: 0,
    };
  }
}
