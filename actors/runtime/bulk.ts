// Bulk chunks (docs/protocol.md, "Bulk chunks"): the sealed bytes of a stream's chunks travel on
// `bus.subjects.bulk(computation, purpose, stream, index)`, outside the journal, and the journaled signed request
// or reply names each chunk's SHA-256 and size. The sender publishes the bytes first, then the
// message naming them (one connection keeps that order); a receiver keeps what arrives on its bulk
// subjects, boundedly, and takes a chunk only when a signed message names it: bytes of another
// digest are refused (ERR_BULK_MISMATCH), bytes that never come end the wait (ERR_BULK_MISSING).
// Nothing here is trusted: anyone may publish on a bulk subject, and only a digest named in a
// verified message makes bytes count.
import { createHash } from 'node:crypto';
import { type BulkRef, ProtocolError } from '../../protocol/index.js';
import type { Transport } from '../../transport/index.js';

/** How long a signed message waits for the bulk bytes it names (they are normally there first). */
const BULK_WAIT_MS = 2_000;
/** Candidate payloads kept per bulk subject (a stray publish cannot push the real one out). */
const PER_SUBJECT = 4;

interface BulkLimits {
  /** Bytes of unclaimed bulk payloads kept at once; the oldest are dropped beyond it. */
  readonly maxBytes: number;
  readonly waitMs: number;
}

/** Which way a stream goes: participant to enclave, or enclave to a reader. */
type BulkPurpose = 'upload' | 'result';

const BULK_LIMITS: BulkLimits = { maxBytes: 64 * 2 ** 20, waitMs: BULK_WAIT_MS };

/** The SHA-256 (hex) that a bulk reference names. */
function bulkDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bulk subject of a reader's result stream: derived from its fresh reply key, so known before the read. */
export function resultBulkStream(replyKey: Uint8Array): string {
  return `k${createHash('sha256').update(replyKey).digest('hex').slice(0, 32)}`;
}

/** Publishes a chunk's bytes on its bulk subject; returns the reference the signed message carries. */
export function publishBulk(
  bus: Transport,
  computation: string,
  purpose: BulkPurpose,
  stream: string,
  index: number,
  sealed: Uint8Array,
): BulkRef {
  bus.publish(bus.subjects.bulk(computation, purpose, stream, index), sealed);
  return { stream, digest: bulkDigest(sealed), size: sealed.length };
}

/** What arrives on a set of bulk subjects, kept until a signed message claims it. */
export class BulkInbox {
  readonly #bus: Transport;
  readonly #computation: string;
  readonly #purpose: BulkPurpose;
  readonly #limits: BulkLimits;
  readonly #kept = new Map<string, Uint8Array[]>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #unsubscribe: () => void;
  #bytes = 0;

  /**
   * Listens on `<ns>.bulk.<computation>.<purpose>.<stream>.*` (`stream` `*`: every stream of that
   * purpose: the enclave hears upload chunks only, not the result chunks it publishes itself).
   */
  constructor(
    bus: Transport,
    computation: string,
    purpose: BulkPurpose,
    stream: string,
    limits = BULK_LIMITS,
  ) {
    this.#bus = bus;
    this.#computation = computation;
    this.#purpose = purpose;
    this.#limits = limits;
    const subscription = bus.subscribe(
      bus.subjects.bulkChunks(computation, purpose, stream),
      (msg: { subject: string; data: Uint8Array }) => this.#arrive(msg.subject, msg.data),
    );
    this.#unsubscribe = () => subscription.unsubscribe();
  }

  /** Resolves once the subscription has reached the server (before asking for bytes sent to it). */
  ready(): Promise<void> {
    return this.#bus.flush();
  }

  close(): void {
    this.#unsubscribe();
    this.#kept.clear();
    this.#bytes = 0;
    for (const wake of [...this.#waiters.values()].flatMap((w) => [...w])) wake();
  }

  #arrive(subject: string, data: Uint8Array): void {
    const kept = this.#kept.get(subject) ?? [];
    if (kept.length >= PER_SUBJECT) return;
    kept.push(data);
    this.#kept.delete(subject); // re-inserted last: the map's order is the arrival order
    this.#kept.set(subject, kept);
    this.#bytes += data.length;
    while (this.#bytes > this.#limits.maxBytes) {
      const [oldest, payloads] = this.#kept.entries().next().value!;
      this.#kept.delete(oldest);
      for (const p of payloads) this.#bytes -= p.length;
    }
    for (const wake of this.#waiters.get(subject) ?? []) wake();
  }

  /** The bytes of chunk `index` named by `ref`, once they have arrived with its digest and size. */
  async take(ref: BulkRef, index: number): Promise<Uint8Array> {
    const subject = this.#bus.subjects.bulk(this.#computation, this.#purpose, ref.stream, index);
    const deadline = Date.now() + this.#limits.waitMs;
    for (;;) {
      const kept = this.#kept.get(subject) ?? [];
      const match = kept.find((b) => b.length === ref.size && bulkDigest(b) === ref.digest);
      if (match) {
        this.#kept.delete(subject);
        for (const p of kept) this.#bytes -= p.length;
        return match;
      }
      if (kept.length > 0) {
        this.#kept.delete(subject);
        for (const p of kept) this.#bytes -= p.length;
        throw new ProtocolError('ERR_BULK_MISMATCH', 'the bulk chunk has another digest', {
          details: { stream: ref.stream, index },
        });
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new ProtocolError('ERR_BULK_MISSING', 'the bulk chunk never arrived', {
          details: { stream: ref.stream, index, waitedMs: this.#limits.waitMs },
        });
      }
      await this.#wait(subject, left);
    }
  }

  #wait(subject: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(subject) ?? new Set();
      this.#waiters.set(subject, waiters);
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0) this.#waiters.delete(subject);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });
  }
}
