// How a participant waits for its enclave without ever hanging. A request's wait ends with the
// reply, or with a code within seconds: the enclave stops answering liveness pings (two missed in
// a row: ERR_ENCLAVE_LOST), its host announces `computation.ended` (that event's code), or the
// overall timeout passes (ERR_TIMEOUT). Pings missed while the connection is down do not count;
// when the connection comes back the pending request is sent again at once (the same envelope, so
// the enclave's idempotency cache answers a duplicate) and the computation carries on.
import { type BodyOf, ProtocolError, toVcError, type VcError } from '../../protocol/index.js';
import type { Endpoint, Transport, Unsubscribe } from '../runtime/endpoint.js';
import { pingEnclave } from '../runtime/liveness.js';
import { keyFromSenderId } from '../runtime/sender-ids.js';

export interface EnclaveWatchOptions {
  /** Time between liveness pings while a reply is awaited (default 2000 ms). */
  readonly pingIntervalMs?: number;
  /** Missed pings in a row that mean the enclave is gone (default 2). */
  readonly missedPings?: number;
}

interface Waiter {
  reconnected(): void;
  ended(error: VcError): void;
}

/** Longest single attempt: a lost request is sent again after this long (same envelope). */
const ATTEMPT_MS = 10_000;
/** Pause before sending again after a transient failure (no responders, disconnected). */
const RESEND_PAUSE_MS = 500;
/**
 * After a reconnection the request is sent at once and again after these delays: the enclave's own
 * connection may come back (and resubscribe) a moment after ours, and a request published before
 * that reaches nobody.
 */
const RESEND_AFTER_RECONNECT_MS = [1000, 3000];
/** A `finished` announcement may overtake the last reply on another subject: a short grace. */
const FINISHED_GRACE_MS = 1000;

export class EnclaveWatch {
  readonly #bus: Transport;
  readonly #computation: string;
  readonly #pingIntervalMs: number;
  readonly #missedPings: number;
  readonly #waiters = new Set<Waiter>();
  readonly #unsubscribe: Unsubscribe;
  #ended: VcError | undefined;
  #connected = true;
  /** Counts disconnections, so a ping that spanned one is not held against the enclave. */
  #outages = 0;
  #closed = false;

  constructor(endpoint: Endpoint, computation: string, options: EnclaveWatchOptions = {}) {
    this.#bus = endpoint.transport;
    this.#computation = computation;
    this.#pingIntervalMs = options.pingIntervalMs ?? 2000;
    this.#missedPings = options.missedPings ?? 2;
    // Announcements are signed by a self-certified host key: trusted for nothing but ending a
    // wait, which a hostile bus could do anyway by dropping messages.
    this.#unsubscribe = endpoint.subscribe(
      endpoint.transport.subjects.events(computation),
      keyFromSenderId,
      (m) => {
        if (m.kind === 'computation.ended' && m.body.computation === computation)
          this.#onEnded(m.body);
      },
    );
    void this.#watchConnection();
  }

  /** Stops listening; waits in progress are not affected. */
  close(): void {
    this.#closed = true;
    this.#unsubscribe();
  }

  /** Sends `bytes` on `subject` and resolves with the reply bytes, or rejects with a code. */
  request(subject: string, bytes: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      let settled = false;
      let misses = 0;
      let resendTimer: NodeJS.Timeout | undefined;
      let pingTimer: NodeJS.Timeout | undefined;
      const reconnectTimers: NodeJS.Timeout[] = [];
      const finish = (settle: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(overall);
        clearTimeout(resendTimer);
        clearTimeout(pingTimer);
        for (const timer of reconnectTimers.splice(0)) clearTimeout(timer);
        this.#waiters.delete(waiter);
        settle();
      };
      const fail = (error: VcError): void => finish(() => reject(error));
      const attempt = (): void => {
        const remaining = deadline - Date.now();
        if (settled || remaining <= 0) return;
        this.#bus.request(subject, bytes, { timeoutMs: Math.min(remaining, ATTEMPT_MS) }).then(
          (reply) => finish(() => resolve(reply)),
          (error: unknown) => {
            if (settled) return;
            const vcError = toVcError(error);
            switch (vcError.code) {
              case 'ERR_TIMEOUT':
                return attempt();
              case 'ERR_NO_RESPONDERS':
              case 'ERR_TRANSPORT_DISCONNECTED':
                // whether the enclave is still there is for the pings to say
                clearTimeout(resendTimer);
                resendTimer = setTimeout(attempt, RESEND_PAUSE_MS);
                return;
              default:
                return fail(vcError);
            }
          },
        );
      };
      const ping = async (): Promise<void> => {
        const outages = this.#outages;
        const answer = await pingEnclave(
          this.#bus,
          this.#computation,
          Math.min(this.#pingIntervalMs, 2000),
        ).catch(() => undefined);
        if (settled) return;
        if (answer || !this.#connected || outages !== this.#outages) misses = 0;
        else if (++misses >= this.#missedPings) {
          return fail(
            new ProtocolError(
              'ERR_ENCLAVE_LOST',
              `the enclave of computation ${this.#computation} stopped answering`,
              { details: { computation: this.#computation, missedPings: misses } },
            ),
          );
        }
        pingTimer = setTimeout(() => void ping(), this.#pingIntervalMs);
      };
      const overall = setTimeout(
        () =>
          fail(
            new ProtocolError('ERR_TIMEOUT', `no reply from the enclave within ${timeoutMs} ms`, {
              details: { computation: this.#computation, subject, timeoutMs },
            }),
          ),
        timeoutMs,
      );
      const reconnected = (): void => {
        for (const timer of reconnectTimers.splice(0)) clearTimeout(timer);
        attempt();
        for (const delay of RESEND_AFTER_RECONNECT_MS)
          reconnectTimers.push(setTimeout(attempt, delay));
      };
      const waiter: Waiter = { reconnected, ended: fail };
      this.#waiters.add(waiter);
      attempt();
      pingTimer = setTimeout(() => void ping(), this.#pingIntervalMs);
    });
  }

  #onEnded(body: BodyOf<'computation.ended'>): void {
    const code =
      body.code ??
      (body.state === 'stopped'
        ? 'ERR_COMPUTATION_STOPPED'
        : body.state === 'failed'
          ? 'ERR_ENCLAVE_LOST'
          : 'ERR_SHUT_DOWN');
    const error = new ProtocolError(
      code,
      `computation ${body.computation} ${body.state}: ${body.message}`,
      {
        details: {
          computation: body.computation,
          state: body.state,
          host: body.host,
          worker: body.worker,
        },
      },
    );
    const end = (): void => {
      this.#ended = error;
      for (const waiter of [...this.#waiters]) waiter.ended(error);
    };
    if (body.state === 'finished') setTimeout(end, FINISHED_GRACE_MS).unref();
    else end();
  }

  async #watchConnection(): Promise<void> {
    for await (const event of this.#bus.status()) {
      if (this.#closed) return;
      if (event.type === 'disconnected' || event.type === 'reconnecting') {
        if (this.#connected) this.#outages++;
        this.#connected = false;
      } else if (event.type === 'reconnected') {
        this.#connected = true;
        this.#outages++;
        for (const waiter of [...this.#waiters]) waiter.reconnected();
      }
    }
  }
}
