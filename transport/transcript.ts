// The transcript of one session channel (docs/protocol.md, "Session channels"): every message of
// the channel, both directions, folded into one hash chain in a canonical order, so that the
// participant, the enclave and anyone reading the journal compute the same hash from the same set
// of messages whatever order they saw them in (requests travel up to 8 at a time, and a retry
// resends the same bytes). The enclave signs it in its `session.receipt`.
import { createHash } from 'node:crypto';

interface Entry {
  readonly toEnclave: boolean;
  readonly seq: number;
  readonly digest: Buffer;
}

interface TranscriptSummary {
  /** Distinct participant->enclave messages. */
  readonly requests: number;
  /** Distinct enclave->participant messages. */
  readonly replies: number;
  /** Hex SHA-256 chain over them (below). */
  readonly transcript: string;
}

const LABEL = new TextEncoder().encode('veracruz-ts/v1 transcript');

export class Transcript {
  readonly #channel: Uint8Array;
  readonly #entries = new Map<string, Entry>();

  constructor(channel: Uint8Array) {
    this.#channel = channel;
  }

  /** Adds one message's exact bytes (the same bytes twice count once). */
  add(toEnclave: boolean, seq: number, bytes: Uint8Array): void {
    const digest = createHash('sha256').update(bytes).digest();
    const key = digest.toString('hex');
    if (!this.#entries.has(key)) this.#entries.set(key, { toEnclave, seq, digest });
  }

  /**
   * Order: participant->enclave messages before enclave->participant ones, each by `seq` (then by
   * digest). `T0 = SHA-256(label || channel)`,
   * `T(i) = SHA-256(T(i-1) || direction (1: to the enclave, 0) || u64be(seq) || SHA-256(message))`.
   */
  summary(): TranscriptSummary {
    const entries = [...this.#entries.values()].sort(
      (a, b) =>
        Number(b.toEnclave) - Number(a.toEnclave) ||
        a.seq - b.seq ||
        Buffer.compare(a.digest, b.digest),
    );
    let chain = createHash('sha256').update(LABEL).update(this.#channel).digest();
    const place = Buffer.alloc(9);
    for (const e of entries) {
      place[0] = e.toEnclave ? 1 : 0;
      place.writeBigUInt64BE(BigInt(e.seq), 1);
      chain = createHash('sha256').update(chain).update(place).update(e.digest).digest();
    }
    const requests = entries.filter((e) => e.toEnclave).length;
    return { requests, replies: entries.length - requests, transcript: chain.toString('hex') };
  }
}
