// The bus as the rest of the system sees it (nats.js style: sockets behind an interface). Two
// implementations: MemoryTransport (the embedded default, deterministic delivery order) and
// NatsTransport (@nats-io/transport-node). Payloads are opaque bytes: envelopes are signed and
// checked above this layer, because the bus is an untrusted relay. A transport belongs to one
// namespace (`subjects`): every subject, stream and bucket its users name comes from there.
import type { Subjects } from '../protocol/index.js';

export interface Msg {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Where a reply goes, for requests. */
  readonly reply: string | undefined;
  /** Sends `data` to `reply`; false when the message expects no reply. */
  respond(data: Uint8Array): boolean;
}

export type MsgHandler = (msg: Msg) => void | Promise<void>;

export interface Subscription {
  readonly subject: string;
  unsubscribe(): void;
}

export interface SubscribeOptions {
  /** Members of one queue group share the messages: each goes to one of them. */
  readonly queue?: string;
}

export interface RetryPolicy {
  /** Total attempts, the first included (default 5). */
  readonly attempts?: number;
  /** Delay before the second attempt (default 100 ms), multiplied by `factor` (2) up to `maxDelayMs` (2000). */
  readonly initialDelayMs?: number;
  readonly factor?: number;
  readonly maxDelayMs?: number;
  /** Injected for tests; default: a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called before each retry (for progress lines and tests). */
  readonly onRetry?: (attempt: number, error: unknown) => void;
}

export interface RequestOptions {
  /** Time to wait for the reply, per attempt (default 2000 ms). */
  readonly timeoutMs?: number;
  /**
   * Retries resend the SAME bytes, so the receiver can recognise a duplicate by (sender, seq) and
   * answer it from its cache (see idempotency.ts). Default: no retry.
   */
  readonly retry?: RetryPolicy;
}

export type TransportStatus =
  | { readonly type: 'disconnected'; readonly server?: string }
  | { readonly type: 'reconnecting' }
  | { readonly type: 'reconnected'; readonly server?: string }
  | { readonly type: 'handler-error'; readonly subject: string; readonly error: unknown }
  | { readonly type: 'error'; readonly error: unknown }
  | { readonly type: 'closed' };

export interface Transport {
  /** A short name for logs and benchmark tables (`memory`, `nats`). */
  readonly name: string;
  /** The subjects, stream and buckets of this transport's namespace (default `vc`). */
  readonly subjects: Subjects;
  publish(subject: string, data: Uint8Array): void;
  subscribe(subject: string, handler: MsgHandler, options?: SubscribeOptions): Subscription;
  /** Sends a request and resolves with the first reply; ERR_TIMEOUT / ERR_NO_RESPONDERS otherwise. */
  request(subject: string, data: Uint8Array, options?: RequestOptions): Promise<Uint8Array>;
  /** Resolves once everything published so far has reached the server (memory: is delivered). */
  flush(): Promise<void>;
  /** Connection health, as an async iterable of typed events; ends after `closed`. */
  status(): AsyncIterable<TransportStatus>;
  close(): Promise<void>;
}
