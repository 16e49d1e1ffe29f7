// Reassembles chunked uploads (phase 8) inside the enclave: each chunk is opened with HPKE against
// the enclave's key and an `info` naming its exact place, and must arrive in order; the file is
// complete when the last chunk opened. Nothing reaches the machine before that. A complete upload
// comes with the SHA-256 of its sealed chunks: public bytes (they crossed the bus), so their digest
// may name the plaintext in machine events where a digest of the plaintext itself may not.
import { createHash, type Hash, type webcrypto } from 'node:crypto';
import { type ChunkInfo, type ProvisionDataBody, ProtocolError } from '../../protocol/index.js';
import { openSealed } from '../../transport/index.js';

interface Upload {
  readonly path: string;
  readonly count: number;
  readonly size: number;
  readonly parts: Uint8Array[];
  readonly sealed: Hash;
  received: number;
}

export type UploadProgress =
  | { readonly complete: false; readonly received: number }
  | {
      readonly complete: true;
      readonly received: number;
      readonly bytes: Uint8Array;
      /** SHA-256 (hex) of the sealed chunks in order. */
      readonly sealedDigest: string;
    };

const SINGLE: ChunkInfo = { upload: '-', index: 0, count: 1 };

export class Uploads {
  readonly #open = new Map<string, Upload>();
  readonly #hpke: webcrypto.CryptoKeyPair;
  readonly #computation: string;
  readonly #session: string;

  constructor(hpke: webcrypto.CryptoKeyPair, computation: string, session: string) {
    this.#hpke = hpke;
    this.#computation = computation;
    this.#session = session;
  }

  async accept(from: string, body: Omit<ProvisionDataBody, 'mode'>): Promise<UploadProgress> {
    const chunk = body.chunk ?? SINGLE;
    const key = `${from}|${chunk.upload}`;
    const upload = this.#open.get(key) ?? {
      path: body.path,
      count: chunk.count,
      size: body.size,
      parts: [],
      sealed: createHash('sha256'),
      received: 0,
    };
    if (
      upload.path !== body.path ||
      upload.count !== chunk.count ||
      upload.size !== body.size ||
      chunk.index !== upload.parts.length
    ) {
      this.#open.delete(key);
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
