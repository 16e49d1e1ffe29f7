// Watches the bus live: subscribes to every journaled subject of its namespace (`bus.subjects.journal`: what a recorded
// journal would hold) and feeds each message, in arrival order, to one RunDecoder, which opens it
// verify-then-use and names the parties by their policy. `vc watch` prints the events, `vc inspect`
// serves them, the scenario runner narrates them. The same decoder reads recorded journals, so a
// live view and a replay of its journal tell the same story.
//
// A watcher may start with a history (what a JetStream journal already holds, for `vc inspect`
// opened after a run). The subscription starts before the history is read, so nothing falls
// between the two; live messages wait until the history has been fed, and a message that arrived
// in that window is both in the history and live: each history record cancels one live copy with
// the same bytes (a retried request is the same bytes twice, hence a count).
//
// The decoder reads any bytes without failing (what is no envelope it skips, what does not verify
// it marks), so a failure on a record is a bug: it is surfaced as ERR_INTERNAL naming the record
// (to `onError`, else by `settle()`), never swallowed, and the records after it are still decoded.
//
// A live record's time is its envelope's `ts` (when the sender made it): receipt time bunches up
// whenever this process is slow to read its socket. A `ts` far from the receipt time (a wrong
// clock, a forged envelope) gives way to the receipt time.
import { createHash } from 'node:crypto';
import { VcError, type LoadedPolicy } from '../../protocol/index.js';
import { readEnvelopeHeaderUnverified, type Transport } from '../../transport/index.js';
import { RunDecoder, type RunEvent, type RunRecord } from './journal-runs.js';

export interface LiveWatchOptions {
  /** Policies known before their launch is seen (a watcher started after the launch). */
  readonly policies?: readonly LoadedPolicy[];
  /** Called with each event, in order: the history's first, then live ones. */
  readonly onEvent: (event: RunEvent) => void;
  /**
   * Called when the decoder fails on a record (ERR_INTERNAL, naming it); the watch goes on with the
   * next. Without it, `settle()` rejects with the first such failure.
   */
  readonly onError?: (error: VcError) => void;
  /** What the journal held before, in journal order (read once, at start). */
  readonly history?: () => AsyncIterable<RunRecord>;
  /** When a message arrived (ms since the epoch); default Date.now. */
  readonly clock?: () => number;
  /** The decoder to feed (default: a new one). */
  readonly decoder?: RunDecoder;
}

export interface LiveWatch {
  /** The decoder's runs so far. */
  readonly decoder: RunDecoder;
  /** Records of the history fed at start (0 without one). */
  readonly history: number;
  /** Why the history could not be read, when it could not (no stream yet, no JetStream). */
  readonly historyNote: string | undefined;
  /**
   * Resolves once every message received so far has been decoded and handed on; rejects with what
   * `onEvent` threw, if it did, or (without `onError`) with the decoder's first failure.
   */
  settle(): Promise<void>;
  /** Unsubscribes; messages already received are still decoded (await `settle()`). */
  stop(): void;
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

const digest = (data: Uint8Array): string => createHash('sha256').update(data).digest('base64');

/** Subscribes `bus` to the journaled subjects; resolves once the history has been fed. */
export async function watchLive(bus: Transport, options: LiveWatchOptions): Promise<LiveWatch> {
  const decoder = options.decoder ?? new RunDecoder();
  for (const policy of options.policies ?? []) await decoder.knowPolicy(policy);
  const clock = options.clock ?? (() => Date.now());
  let lastSeq = 0;
  let failure: unknown;
  const feed = async (record: RunRecord): Promise<void> => {
    lastSeq = Math.max(lastSeq, record.seq);
    let events: RunEvent[];
    try {
      events = await decoder.add(record);
    } catch (error) {
      const failed = new VcError(
        'ERR_INTERNAL',
        `the journal decoder failed on record ${record.seq} (${record.subject}): ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error, details: { seq: record.seq, subject: record.subject } },
      );
      if (options.onError) options.onError(failed);
      else failure ??= failed;
      return;
    }
    for (const event of events) options.onEvent(event);
  };
  // One chain: the decoder must see the records in the order they came. Live messages queue
  // behind the gate until the history has been fed.
  let openGate!: () => void;
  let chain = new Promise<void>((resolve) => (openGate = resolve));
  let readingHistory = options.history !== undefined;
  const inHistory = new Map<string, number>();
  const subscriptions = bus.subjects.journal.map((subject) =>
    bus.subscribe(subject, (message) => {
      const { data } = message;
      const time = timeOf(data, clock());
      const mayBeInHistory = readingHistory;
      chain = chain
        .then(async () => {
          if (mayBeInHistory) {
            const key = digest(data);
            const copies = inHistory.get(key) ?? 0;
            if (copies > 0) return void inHistory.set(key, copies - 1);
          }
          await feed({ seq: lastSeq + 1, time, subject: message.subject, data });
        })
        .catch((error: unknown) => void (failure ??= error));
    }),
  );
  const history: RunRecord[] = [];
  let historyNote: string | undefined;
  if (options.history) {
    await bus.flush();
    try {
      for await (const record of options.history()) history.push(record);
    } catch (error) {
      // JetStream answers "stream not found" in its own words; ours (ERR_NO_JETSTREAM) say more.
      historyNote = error instanceof VcError ? error.message : 'no journal stream yet';
    }
    for (const record of history) {
      const key = digest(record.data);
      inHistory.set(key, (inHistory.get(key) ?? 0) + 1);
    }
    readingHistory = false;
    for (const record of history) await feed(record);
  }
  openGate();
  return {
    decoder,
    history: history.length,
    historyNote,
    settle: async () => {
      let seen: Promise<void> | undefined;
      while (seen !== chain) {
        seen = chain;
        await seen;
      }
      if (failure !== undefined) throw failure;
    },
    stop: () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}
