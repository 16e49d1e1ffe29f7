// Standard input streamed from the caller to a guest (`vc run` gives the host's stdin): the guest
// reads synchronously in its worker, so the worker asks the main thread for the next chunk and
// waits on a shared buffer (Atomics.wait) until the main thread has read it from the stream. The
// stream is read only when the guest asks, one chunk at a time: nothing is read ahead of the guest.
import type { StdinStream } from '../wasi/host-state.js';

/** Largest chunk handed over at once. */
const CHUNK = 64 * 1024;
/** Int32 slots at the start of the shared buffer: the state, and the length of the chunk. */
const STATE = 0;
const LENGTH = 1;
const HEADER = 8;
/** No chunk waiting (the worker may ask); a chunk is waiting (length 0: the end of input). */
const EMPTY = 0;
const FILLED = 1;

/** The main thread's side: fills the shared buffer from `source` each time the worker asks. */
export class StdinFeeder {
  readonly shared = new SharedArrayBuffer(HEADER + CHUNK);
  private readonly control = new Int32Array(this.shared, 0, 2);
  private readonly source: AsyncIterable<Uint8Array>;
  private iterator: AsyncIterator<Uint8Array> | undefined;
  private rest: Uint8Array = new Uint8Array(0);
  private ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.source = source;
  }

  /** Answers one request of the worker: the next bytes of the stream, or its end. */
  async fill(): Promise<void> {
    while (this.rest.length === 0 && !this.ended) {
      this.iterator ??= this.source[Symbol.asyncIterator]();
      const next = await this.iterator.next();
      if (next.done) this.ended = true;
      else this.rest = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
    const n = Math.min(this.rest.length, CHUNK);
    new Uint8Array(this.shared, HEADER, n).set(this.rest.subarray(0, n));
    this.rest = this.rest.subarray(n);
    Atomics.store(this.control, LENGTH, n);
    Atomics.store(this.control, STATE, FILLED);
    Atomics.notify(this.control, STATE);
  }
}

/**
 * The worker's side: `request` tells the main thread to fill the buffer (it posts a message);
 * reads block on the buffer until it is filled.
 */
export function stdinReader(shared: SharedArrayBuffer, request: () => void): StdinStream {
  const control = new Int32Array(shared, 0, 2);
  let asked = false;
  let buffered = new Uint8Array(0);
  let ended = false;
  /** Waits up to `timeoutMs` for the chunk asked for; false when it has not come. */
  const take = (timeoutMs: number): boolean => {
    if (!asked) {
      request();
      asked = true;
    }
    Atomics.wait(control, STATE, EMPTY, timeoutMs);
    if (Atomics.load(control, STATE) !== FILLED) return false;
    const n = Atomics.load(control, LENGTH);
    buffered = new Uint8Array(shared, HEADER, n).slice();
    if (n === 0) ended = true;
    Atomics.store(control, STATE, EMPTY);
    asked = false;
    return true;
  };
  return {
    read(max) {
      if (buffered.length === 0 && !ended) take(Infinity);
      const out = buffered.subarray(0, max);
      buffered = buffered.subarray(out.length);
      return out;
    },
    poll(timeoutMs) {
      if (buffered.length === 0 && !ended && !take(timeoutMs)) return undefined;
      return { bytes: buffered.length, end: ended && buffered.length === 0 };
    },
  };
}
