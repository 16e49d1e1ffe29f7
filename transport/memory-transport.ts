// The in-memory bus of the embedded mode. Delivery order is deterministic: one FIFO of deliveries,
// drained in order; a message goes to matching subscriptions in the order they were created; a
// queue group hands its messages round-robin. Handlers are called in order but not awaited (as
// in nats.js), so a handler may itself make requests without deadlocking the bus.
import { TransportError } from './errors.js';
import { withRetry } from './retry.js';
import { StatusChannel } from './status-channel.js';
import { type Subjects, subjectMatches, subjectsFor } from '../protocol/index.js';
import type {
  Msg,
  MsgHandler,
  RequestOptions,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportStatus,
} from './transport.js';

/** Sees every message published on the bus, in delivery order (the embedded journal uses this). */
export type PublishTap = (subject: string, data: Uint8Array, reply: string | undefined) => void;

interface Sub {
  readonly id: number;
  readonly subject: string;
  readonly queue: string | undefined;
  readonly handler: MsgHandler;
  active: boolean;
}

export interface MemoryTransportOptions {
  readonly tap?: PublishTap;
  /** The namespace of the subjects its users name (default `vc`). */
  readonly namespace?: string;
}

export class MemoryTransport implements Transport {
  readonly name = 'memory';
  readonly subjects: Subjects;
  readonly #subs: Sub[] = [];
  readonly #pending: Array<{ sub: Sub; msg: Msg }> = [];
  readonly #queueTurns = new Map<string, number>();
  readonly #status = new StatusChannel();
  readonly #tap: PublishTap | undefined;
  readonly #flushWaiters: Array<() => void> = [];
  #nextId = 0;
  #draining = false;
  #closed = false;

  constructor(options: MemoryTransportOptions = {}) {
    this.#tap = options.tap;
    this.subjects = subjectsFor(options.namespace);
  }

  publish(subject: string, data: Uint8Array): void {
    this.#publish(subject, data, undefined);
  }

  subscribe(subject: string, handler: MsgHandler, options: SubscribeOptions = {}): Subscription {
    this.#assertOpen();
    const sub: Sub = { id: this.#nextId++, subject, queue: options.queue, handler, active: true };
    this.#subs.push(sub);
    return {
      subject,
      unsubscribe: () => {
        sub.active = false;
        const i = this.#subs.indexOf(sub);
        if (i >= 0) this.#subs.splice(i, 1);
      },
    };
  }

  async request(
    subject: string,
    data: Uint8Array,
    options: RequestOptions = {},
  ): Promise<Uint8Array> {
    return withRetry(
      () => this.#requestOnce(subject, data, options.timeoutMs ?? 2000),
      options.retry,
    );
  }

  async flush(): Promise<void> {
    if (!this.#draining && this.#pending.length === 0) return;
    await new Promise<void>((resolve) => this.#flushWaiters.push(resolve));
  }

  status(): AsyncIterable<TransportStatus> {
    return this.#status.iterate();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    this.#subs.length = 0;
    this.#status.emit({ type: 'closed' });
  }

  #requestOnce(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    this.#assertOpen();
    const inbox = `${this.subjects.inboxPrefix}.${this.#nextId++}`;
    return new Promise((resolve, reject) => {
      const sub = this.subscribe(inbox, (msg) => {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve(msg.data);
      });
      const timer = setTimeout(() => {
        sub.unsubscribe();
        reject(
          new TransportError('ERR_TIMEOUT', 'no reply in time', {
            details: { subject, timeoutMs },
          }),
        );
      }, timeoutMs);
      if (!this.#publish(subject, data, inbox)) {
        clearTimeout(timer);
        sub.unsubscribe();
        reject(
          new TransportError('ERR_NO_RESPONDERS', 'nobody is subscribed to the subject', {
            details: { subject },
          }),
        );
      }
    });
  }

  /** Queues deliveries; returns whether anybody will receive the message. */
  #publish(subject: string, data: Uint8Array, reply: string | undefined): boolean {
    this.#assertOpen();
    this.#tap?.(subject, data, reply);
    const msg: Msg = {
      subject,
      data,
      reply,
      respond: (answer) => {
        if (reply === undefined || this.#closed) return false;
        this.#publish(reply, answer, undefined);
        return true;
      },
    };
    const targets = this.#targets(subject);
    for (const sub of targets) this.#pending.push({ sub, msg });
    if (targets.length > 0 && !this.#draining) {
      this.#draining = true;
      queueMicrotask(() => this.#drain());
    }
    return targets.length > 0;
  }

  #targets(subject: string): Sub[] {
    const plain: Sub[] = [];
    const groups = new Map<string, Sub[]>();
    for (const sub of this.#subs) {
      if (!subjectMatches(sub.subject, subject)) continue;
      if (sub.queue === undefined) plain.push(sub);
      else {
        const key = `${sub.queue}\u0000${sub.subject}`;
        groups.set(key, [...(groups.get(key) ?? []), sub]);
      }
    }
    for (const [key, members] of groups) {
      const turn = this.#queueTurns.get(key) ?? 0;
      this.#queueTurns.set(key, turn + 1);
      plain.push(members[turn % members.length] as Sub);
    }
    return plain.sort((a, b) => a.id - b.id);
  }

  #drain(): void {
    while (this.#pending.length > 0) {
      const { sub, msg } = this.#pending.shift() as { sub: Sub; msg: Msg };
      if (!sub.active) continue;
      try {
        const result = sub.handler(msg);
        if (result instanceof Promise) {
          result.catch((error: unknown) =>
            this.#status.emit({ type: 'handler-error', subject: msg.subject, error }),
          );
        }
      } catch (error) {
        this.#status.emit({ type: 'handler-error', subject: msg.subject, error });
      }
    }
    this.#draining = false;
    for (const resolve of this.#flushWaiters.splice(0)) resolve();
  }

  #assertOpen(): void {
    if (this.#closed) throw new TransportError('ERR_TRANSPORT_CLOSED', 'transport is closed');
  }
}
