// Watches the bus live: subscribes to every journaled subject (JOURNAL_SUBJECTS: what a recorded
// journal would hold) and feeds each message, in arrival order, to one RunDecoder, which opens it
// verify-then-use and names the parties by their policy. `vc watch` prints the events; the
// scenario runner narrates them. The same decoder reads recorded journals, so a live view and a
// replay of its journal tell the same story.
import { JOURNAL_SUBJECTS, type LoadedPolicy } from '../../protocol/index.js';
import type { Transport } from '../../transport/index.js';
import { RunDecoder, type RunEvent } from './journal-runs.js';

export interface LiveWatchOptions {
  /** Policies known before their launch is seen (a watcher started after the launch). */
  readonly policies?: readonly LoadedPolicy[];
  /** Called with each event, in arrival order. */
  readonly onEvent: (event: RunEvent) => void;
  /** When a message arrived (ms since the epoch); default Date.now. */
  readonly clock?: () => number;
}

export interface LiveWatch {
  /** The decoder's runs so far. */
  readonly decoder: RunDecoder;
  /**
   * Resolves once every message received so far has been decoded and handed on; rejects with what
   * `onEvent` threw, if it did.
   */
  settle(): Promise<void>;
  /** Unsubscribes; messages already received are still decoded (await `settle()`). */
  stop(): void;
}

/** Subscribes `bus` to the journaled subjects; resolves once the policies are known. */
export async function watchLive(bus: Transport, options: LiveWatchOptions): Promise<LiveWatch> {
  const decoder = new RunDecoder();
  for (const policy of options.policies ?? []) await decoder.knowPolicy(policy);
  const clock = options.clock ?? (() => Date.now());
  let seq = 0;
  // One chain: the decoder must see the records in the order they came.
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  const subscriptions: ReturnType<Transport['subscribe']>[] = JOURNAL_SUBJECTS.map((subject) =>
    bus.subscribe(subject, (message) => {
      const record = { seq: ++seq, time: clock(), subject: message.subject, data: message.data };
      chain = chain
        .then(async () => {
          // A record the decoder cannot read (garbage on the bus) is skipped, as a journal's is.
          const event = await decoder.add(record).catch(() => undefined);
          if (event) options.onEvent(event);
        })
        .catch((error: unknown) => void (failure ??= error));
    }),
  );
  return {
    decoder,
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
