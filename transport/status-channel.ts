// Fan-out of status events to any number of async iterators; each sees the events emitted after it
// started listening, and ends after `closed`. Costs nothing when nobody listens.
import type { TransportStatus } from './transport.js';

export class StatusChannel {
  readonly #listeners = new Set<(event: TransportStatus | undefined) => void>();
  #closed = false;

  emit(event: TransportStatus): void {
    for (const listener of this.#listeners) listener(event);
    if (event.type === 'closed') {
      this.#closed = true;
      for (const listener of this.#listeners) listener(undefined);
      this.#listeners.clear();
    }
  }

  iterate(): AsyncIterable<TransportStatus> {
    const queue: Array<TransportStatus | undefined> = [];
    let wake: (() => void) | undefined;
    const listener = (event: TransportStatus | undefined): void => {
      queue.push(event);
      wake?.();
    };
    if (this.#closed) queue.push(undefined);
    else this.#listeners.add(listener);
    const listeners = this.#listeners;
    return {
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            while (queue.length === 0) await new Promise<void>((r) => (wake = r));
            const event = queue.shift();
            if (event === undefined) return;
            yield event;
          }
        } finally {
          listeners.delete(listener);
        }
      },
    };
  }
}
