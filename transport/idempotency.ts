// Receiver-side freshness and idempotency. Senders number their envelopes with a per-sender `seq`
// and retry by resending the same bytes, so over at-most-once core NATS a request may arrive twice.
// For each (computation, sender) this remembers a window of recent seqs with a digest of the
// envelope and the reply: a duplicate (same seq, same bytes) gets the cached reply without running
// the handler again; a seq older than the window, or a known seq with different bytes, is a replay.
// Seqs inside the window may arrive out of order (a sender's concurrent requests).
import { createHash } from 'node:crypto';
import { TransportError } from './errors.js';
import type { OpenedEnvelope } from './envelope.js';

interface Entry {
  readonly digest: string;
  readonly reply: Promise<Uint8Array>;
}

interface SenderState {
  highest: number;
  readonly seen: Map<number, Entry>;
}

export interface IdempotencyOptions {
  /** How many recent seqs per sender are remembered with their replies (default 256). */
  readonly window?: number;
}

export class IdempotencyCache {
  readonly #window: number;
  readonly #senders = new Map<string, SenderState>();

  constructor(options: IdempotencyOptions = {}) {
    this.#window = options.window ?? 256;
  }

  /**
   * Runs `compute` at most once per (computation, from, seq) and returns its reply; a duplicate
   * waits for and returns the same reply (or the same failure). Throws ERR_REPLAY for replays.
   */
  handle(envelope: OpenedEnvelope, compute: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const key = `${envelope.computation}\u0000${envelope.from}`;
    const state = this.#senders.get(key) ?? { highest: -1, seen: new Map<number, Entry>() };
    this.#senders.set(key, state);
    const digest = createHash('sha256').update(envelope.bytes).digest('hex');
    const known = state.seen.get(envelope.seq);
    if (known) {
      if (known.digest !== digest) throw replay(envelope, 'a different message reused this seq');
      return known.reply;
    }
    if (envelope.seq <= state.highest - this.#window)
      throw replay(envelope, 'seq is older than the replay window');
    const reply = compute();
    reply.catch(() => undefined); // a duplicate may never come to observe the failure
    state.seen.set(envelope.seq, { digest, reply });
    if (envelope.seq > state.highest) {
      state.highest = envelope.seq;
      for (const seq of state.seen.keys())
        if (seq <= state.highest - this.#window) state.seen.delete(seq);
    }
    return reply;
  }
}

function replay(envelope: OpenedEnvelope, reason: string): TransportError {
  return new TransportError('ERR_REPLAY', `replayed envelope refused: ${reason}`, {
    details: { from: envelope.from, seq: envelope.seq, computation: envelope.computation },
  });
}
