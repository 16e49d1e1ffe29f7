// What `vc inspect` shows comes from here: the journal that JetStream already holds (so opening the
// page after a run still shows it), then every journaled message live, fed one at a time, in order,
// to one RunDecoder.
//
// The live part is a minimal subscription to JOURNAL_SUBJECTS of its own, until the live watcher of
// `vc watch` (actors/replay/live-watch.ts) can take the history in front of it: `followJournal` is
// the one place to swap (keep the history, its gate and its de-duplication).
//
// The live subscription starts before the history is read, so nothing falls between the two. A
// message that arrives in that window is both in the history and live: each history record cancels
// one live copy with the same bytes (a retried request is the same bytes twice, hence a count).
// A live record's time is its envelope's `ts` (when the sender made it): receipt time would bunch
// up whenever this process is slow to read its socket. A `ts` far from the receipt time (a wrong
// clock, a forged envelope) gives way to the receipt time.
import { createHash } from 'node:crypto';
import { JOURNAL_SUBJECTS, VcError } from '../../protocol/index.js';
import {
  JetStreamJournalReader,
  defaultJournalStream,
  type NatsTransport,
  type Transport,
  readEnvelopeHeaderUnverified,
} from '../../transport/index.js';
import type { RunDecoder, RunEvent, RunRecord } from '../../actors/index.js';

export interface JournalFeed {
  /** Records of the history fed at start (0 without a journal stream). */
  readonly history: number;
  /** Why the history could not be read, when it could not (no stream yet, no JetStream). */
  readonly historyNote: string | undefined;
  /** Resolves once every record received so far has been decoded. */
  settle(): Promise<void>;
  stop(): void;
}

/** What the journal held before: records in journal order (none when it is undefined). */
export type JournalHistory = (() => AsyncIterable<RunRecord>) | undefined;

/** The history a JetStream journal stream holds (default VC_JOURNAL). */
export function jetStreamHistory(
  bus: NatsTransport,
  stream = defaultJournalStream,
): JournalHistory {
  return () => new JetStreamJournalReader(bus.connection, stream).records();
}

const CLOCK_SLACK_MS = 5 * 60_000;

/** When the sender made the message, if its envelope says so plausibly; else when it came. */
function timeOf(data: Uint8Array, received: number): number {
  try {
    const { ts } = readEnvelopeHeaderUnverified(data);
    return Math.abs(ts - received) <= CLOCK_SLACK_MS ? ts : received;
  } catch {
    return received;
  }
}

function digest(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64');
}

/** Feeds the journal's history, then every live journaled message, to `decoder`. */
export async function followJournal(
  bus: Transport,
  decoder: RunDecoder,
  onEvent: (event: RunEvent) => void,
  readHistory: JournalHistory,
): Promise<JournalFeed> {
  // Live messages queue behind this gate until the history has been fed.
  let openGate!: () => void;
  let chain = new Promise<void>((resolve) => (openGate = resolve));
  let lastSeq = 0;
  let replaying = true;
  const replayed = new Map<string, number>();
  const feed = async (record: RunRecord): Promise<void> => {
    lastSeq = Math.max(lastSeq, record.seq);
    const event = await decoder.add(record).catch(() => undefined);
    if (event) onEvent(event);
  };
  const enqueue = (work: () => Promise<void>): void => {
    chain = chain.then(work).catch(() => undefined);
  };
  const subscriptions = JOURNAL_SUBJECTS.map((subject) =>
    bus.subscribe(subject, (message) => {
      const data = message.data;
      const time = timeOf(data, Date.now());
      const check = replaying;
      enqueue(async () => {
        if (check) {
          const key = digest(data);
          const copies = replayed.get(key) ?? 0;
          if (copies > 0) {
            replayed.set(key, copies - 1);
            return;
          }
        } else replayed.clear();
        await feed({ seq: lastSeq + 1, time, subject: message.subject, data });
      });
    }),
  );
  await bus.flush();
  const history: RunRecord[] = [];
  let historyNote: string | undefined;
  try {
    if (readHistory) for await (const record of readHistory()) history.push(record);
  } catch (error) {
    // JetStream answers "stream not found" in its own words; ours (ERR_NO_JETSTREAM) say more.
    historyNote = error instanceof VcError ? error.message : 'no journal stream yet';
  }
  for (const record of history) {
    const key = digest(record.data);
    replayed.set(key, (replayed.get(key) ?? 0) + 1);
  }
  replaying = false;
  for (const record of history) await feed(record);
  openGate();
  return {
    history: history.length,
    historyNote,
    settle: async () => {
      for (;;) {
        const seen = chain;
        await seen;
        if (seen === chain) return;
      }
    },
    stop: () => {
      for (const s of subscriptions) s.unsubscribe();
    },
  };
}
