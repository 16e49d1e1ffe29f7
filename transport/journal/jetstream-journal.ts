// The journal on NATS: a JetStream stream (`<NS>_JOURNAL`, VC_JOURNAL for the default namespace)
// over its namespace's journaled subjects that records every message the system sends (requests,
// replies on `<ns>.inbox.*`, events, traces). Created idempotently. `no_ack` is essential:
// without it JetStream would answer each captured request with a PubAck, racing the real reply.
// nats-server 2.9 allows a single filter subject per consumer, so the reader filters one computation
// client-side (replies live under `<ns>.inbox`, outside `<ns>.c.<id>.>`).
import {
  jetstream,
  jetstreamManager,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { TransportError } from '../errors.js';
import { replicasError } from '../replicas.js';
import { type Subjects, subjectsFor } from '../../protocol/index.js';
import {
  makeRecord,
  matches,
  type JournalFilter,
  type JournalReader,
  type JournalRecord,
} from './record.js';

export interface JetStreamJournalOptions {
  /** The namespace whose subjects it records (default `vc`: stream VC_JOURNAL). */
  readonly subjects?: Subjects;
  /** Stream name (default the namespace's, `subjects.journalStream`). */
  readonly stream?: string;
  /** Replicas on a cluster (default 1; ERR_NATS_REPLICAS beyond the cluster's size). */
  readonly replicas?: number;
  /** Retention in milliseconds (default: unlimited). */
  readonly maxAgeMs?: number;
}

/** Creates the journal stream unless it exists; safe to call from every process at start-up. */
export async function ensureJournalStream(
  nc: NatsConnection,
  options: JetStreamJournalOptions = {},
): Promise<string> {
  const subjects = options.subjects ?? subjectsFor();
  const name = options.stream ?? subjects.journalStream;
  const jsm = await managerOf(nc);
  const config: Partial<StreamConfig> & { name: string } = {
    name,
    subjects: [...subjects.journal],
    no_ack: true,
    num_replicas: options.replicas ?? 1,
    ...(options.maxAgeMs ? { max_age: options.maxAgeMs * 1_000_000 } : {}),
  };
  const existing = await jsm.streams.info(name).catch(() => undefined);
  if (existing) {
    // A stream made by an older version over all of `<ns>.>` would swallow the liveness pings.
    const subjects = existing.config.subjects ?? [];
    if (subjects.join() !== config.subjects!.join())
      await jsm.streams.update(name, { ...existing.config, subjects: config.subjects! });
    return name;
  }
  try {
    await jsm.streams.add(config);
  } catch (error) {
    const tooMany = replicasError(error, nc, `stream ${name}`, config.num_replicas ?? 1);
    if (tooMany) throw tooMany;
    // another process created it between our check and our add
    if (!(await exists(jsm, name))) throw error;
  }
  return name;
}

/**
 * The JetStream manager, or ERR_NO_JETSTREAM naming the server when it runs without JetStream
 * (nats.js asks the server's JetStream API first and reports JetStreamNotEnabled).
 */
async function managerOf(nc: NatsConnection): Promise<JetStreamManager> {
  try {
    return await jetstreamManager(nc);
  } catch (error) {
    if (error instanceof Error && error.name === 'JetStreamNotEnabled') {
      const url = nc.getServer();
      throw new TransportError(
        'ERR_NO_JETSTREAM',
        `the NATS server at ${url} runs without JetStream, which the journal needs`,
        { details: { url }, cause: error },
      );
    }
    throw error;
  }
}

async function exists(jsm: JetStreamManager, name: string): Promise<boolean> {
  try {
    await jsm.streams.info(name);
    return true;
  } catch {
    return false;
  }
}

/** Reads the records present when iteration starts, in stream order. */
export class JetStreamJournalReader implements JournalReader {
  readonly #nc: NatsConnection;
  readonly #stream: string;

  constructor(nc: NatsConnection, stream = subjectsFor().journalStream) {
    this.#nc = nc;
    this.#stream = stream;
  }

  async *records(filter?: JournalFilter): AsyncIterable<JournalRecord> {
    const jsm = await managerOf(this.#nc);
    const last = (await jsm.streams.info(this.#stream)).state.last_seq;
    if (last === 0) return;
    const consumer = await jetstream(this.#nc).consumers.get(this.#stream);
    const messages = await consumer.consume();
    try {
      for await (const m of messages) {
        const record = makeRecord(
          m.seq,
          Math.floor(Number(m.info.timestampNanos) / 1e6),
          m.subject,
          new Uint8Array(m.data),
        );
        if (matches(record, filter)) yield record;
        if (m.seq >= last) break;
      }
    } finally {
      messages.stop();
    }
  }
}
