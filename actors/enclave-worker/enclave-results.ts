// Results of any size (phase 10): a result is sealed to its reader's ephemeral key as one stream
// (transport/sealing.ts: one HPKE context, an AES-256-GCM seal per chunk). The machine decides the
// read once, for the whole file (rights checked, `io.read` with the first chunk); the reader then
// pulls the other chunks with `result.read` naming the stream and a chunk index, any order, several
// at once. Those are served here from a snapshot of the file taken when the machine allowed the
// read, each chunk sealed when asked for (sealing a chunk twice gives the same bytes: same key,
// nonce and plaintext). A stream is forgotten once each of its chunks has been served, and a reader
// has at most MAX_OPEN_PER_READER streams open (a new one ends its oldest).
import { randomBytes } from 'node:crypto';
import { type ChunkInfo, type ResultDataBody, ProtocolError } from '../../protocol/index.js';
import { chunkCount, StreamSealer, UPLOAD_CHUNK_BYTES } from '../../transport/index.js';

interface ResultStream {
  readonly from: string;
  readonly path: string;
  readonly replyKey: Uint8Array;
  readonly bytes: Uint8Array;
  readonly count: number;
  readonly sealer: StreamSealer;
  readonly served: Set<number>;
}

const MAX_OPEN_PER_READER = 4;

export interface ChunkRead {
  readonly path: string;
  readonly replyKey: Uint8Array;
  readonly chunk: ChunkInfo;
}

export class ResultStreams {
  readonly #open = new Map<string, ResultStream>();
  /** The first chunk's place, by the ref of the read that opened its stream. */
  readonly #first = new Map<string, ChunkInfo>();
  readonly #computation: string;
  readonly #session: () => string;

  constructor(computation: string, session: () => string) {
    this.#computation = computation;
    this.#session = session;
  }

  /** Opens the stream of a read the machine allowed; returns its first chunk, sealed. */
  async open(
    ref: string,
    from: string,
    path: string,
    replyKey: Uint8Array,
    bytes: Uint8Array,
  ): Promise<Uint8Array> {
    const count = chunkCount(bytes.length);
    const stream = `r${randomBytes(12).toString('hex')}`;
    const chunk = count > 1 ? { upload: stream, index: 0, count } : undefined;
    const sealer = await StreamSealer.to(replyKey, {
      computation: this.#computation,
      session: this.#session(),
      path,
      purpose: 'result',
      ...(chunk ? { chunk } : {}),
    });
    if (!chunk) return sealer.seal(bytes, 0, 1);
    const mine = [...this.#open].filter(([, s]) => s.from === from);
    if (mine.length >= MAX_OPEN_PER_READER) this.#open.delete(mine[0]![0]);
    // A snapshot: the file may change after the read, a chunk sealed again must not.
    const snapshot = bytes.slice();
    this.#open.set(stream, {
      from,
      path,
      replyKey,
      bytes: snapshot,
      count,
      sealer,
      served: new Set(),
    });
    this.#first.set(ref, chunk);
    return this.#seal(stream, 0);
  }

  /** The place of the first chunk the read `ref` answers with (undefined: one message). */
  takeFirst(ref: string): ChunkInfo | undefined {
    const chunk = this.#first.get(ref);
    this.#first.delete(ref);
    return chunk;
  }

  /** Serves one later chunk of an open stream to the reader that opened it. */
  next(from: string, read: ChunkRead): ResultDataBody {
    const { upload: id, index, count } = read.chunk;
    const stream = this.#open.get(id);
    if (
      !stream ||
      stream.from !== from ||
      stream.path !== read.path ||
      stream.count !== count ||
      index >= count ||
      Buffer.compare(stream.replyKey, read.replyKey) !== 0
    ) {
      throw new ProtocolError('ERR_BAD_MESSAGE', 'no such result stream or chunk', {
        details: { path: read.path, index },
      });
    }
    return {
      path: stream.path,
      sealed: this.#seal(id, index),
      size: stream.bytes.length,
      chunk: read.chunk,
    };
  }

  #seal(id: string, index: number): Uint8Array {
    const stream = this.#open.get(id)!;
    const start = index * UPLOAD_CHUNK_BYTES;
    const sealed = stream.sealer.seal(
      stream.bytes.subarray(start, Math.min(stream.bytes.length, start + UPLOAD_CHUNK_BYTES)),
      index,
      stream.count,
    );
    stream.served.add(index);
    if (stream.served.size === stream.count) this.#open.delete(id);
    return sealed;
  }
}
