// Serialises requests into a machine: one request event at a time, each resolved by the machine's
// reply for its ref (`settle`). A machine that has ended answers nothing, so waiting requests are
// refused instead of hanging.
import { ProtocolError } from '../../protocol/index.js';

interface Waiting<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

export class Mailbox<T> {
  #tail: Promise<unknown> = Promise.resolve();
  readonly #waiting = new Map<string, Waiting<T>>();

  /** Queues `deliver` after earlier requests; resolves with the reply settled for `ref`. */
  run(ref: string, deliver: () => void, ended: () => boolean): Promise<T> {
    const result = this.#tail.then(
      () =>
        new Promise<T>((resolve, reject) => {
          if (ended()) {
            reject(new ProtocolError('ERR_SHUT_DOWN', 'the computation has ended'));
            return;
          }
          this.#waiting.set(ref, { resolve, reject });
          deliver();
        }),
    );
    this.#tail = result.catch(() => undefined);
    return result;
  }

  settle(ref: string, value: T): void {
    const waiting = this.#waiting.get(ref);
    this.#waiting.delete(ref);
    waiting?.resolve(value);
  }

  /** Refuses every request still waiting (the machine ended). */
  abandon(): void {
    for (const [ref, waiting] of this.#waiting) {
      this.#waiting.delete(ref);
      waiting.reject(new ProtocolError('ERR_SHUT_DOWN', 'the computation has ended'));
    }
  }
}
