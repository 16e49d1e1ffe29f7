// The window of a stream's chunks in flight (docs/protocol.md, "Uploads" and "Results"): a
// participant sends up to WINDOW chunk requests before waiting for their replies, instead of one at
// a time, so sealing, signing, the network and the enclave's opening overlap.
import type { WireError } from '../../protocol/index.js';

/** Chunks a participant has in flight at once, for an upload or a result read. */
const WINDOW = 8;

/**
 * Runs `send` over `items` with up to WINDOW calls in flight (each lane takes the next item when
 * its call ends, so sealing the next chunk overlaps the earlier ones' round trips). The first
 * refusal stops new sends and is returned once the calls in flight have ended; a thrown error
 * (e.g. a lost reply) likewise stops the window and is thrown.
 */
export async function inWindow<T>(
  items: Iterable<T>,
  send: (item: T) => Promise<WireError | undefined>,
): Promise<WireError | undefined> {
  const next = items[Symbol.iterator]();
  let refused: WireError | undefined;
  let stop = false;
  const lane = async (): Promise<void> => {
    for (let item = next.next(); !item.done && !stop; item = next.next()) {
      let failure: WireError | undefined;
      try {
        failure = await send(item.value);
      } catch (error) {
        stop = true;
        throw error;
      }
      if (failure) {
        refused ??= failure;
        stop = true;
      }
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: WINDOW }, lane));
  const thrown = lanes.find((l) => l.status === 'rejected');
  if (thrown) throw thrown.reason;
  return refused;
}
