// The Transport over NATS (@nats-io/transport-node), in one namespace (`subjects`). The first
// connect fails once, within a few seconds, with a code naming the URL (without its user
// information) and the cause: nothing there, not NATS, credentials refused, no TLS session. Once
// connected it reconnects forever with a short wait (the server may restart). A publish, request or
// subscription the server's permissions refuse is ERR_NATS_PERMISSION naming the subject. Each
// request's reply subject lives under `<namespace>.inbox` so the journal records replies too;
// nats.js errors become our typed errors.
import {
  connect,
  createInbox,
  errors as natsErrors,
  type Msg as NatsMsg,
  type NatsConnection,
  type NodeConnectionOptions,
  type Status,
} from '@nats-io/transport-node';
import { createConnection } from 'node:net';
import { TransportError } from './errors.js';
import { withRetry } from './retry.js';
import { StatusChannel } from './status-channel.js';
import { natsAuthOptions, shownServers, type NatsAuth, type NatsTls } from './nats-settings.js';
import { type Subjects, subjectsFor } from '../protocol/index.js';
import type {
  Msg,
  MsgHandler,
  RequestOptions,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportStatus,
} from './transport.js';

export interface NatsTransportOptions {
  /** One URL or several (a cluster). */
  readonly servers: string | readonly string[];
  /** How to authenticate (user and password, token, NKey seed file, credentials file). */
  readonly auth?: NatsAuth;
  /** TLS: the CA to trust, a client certificate and key. */
  readonly tls?: NatsTls;
  /** Name shown in the server's connection list. */
  readonly name?: string;
  /** Bound on the first connect, TCP and NATS handshake together (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /** The namespace of every subject, stream and bucket its users name (default `vc`). */
  readonly namespace?: string;
  /** Passed through to nats.js for anything else. */
  readonly connectOptions?: Partial<NodeConnectionOptions>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export class NatsTransport implements Transport {
  readonly name = 'nats';
  readonly connection: NatsConnection;
  readonly subjects: Subjects;
  readonly #status = new StatusChannel();

  private constructor(connection: NatsConnection, subjects: Subjects) {
    this.connection = connection;
    this.subjects = subjects;
    void this.#pumpStatus();
  }

  /**
   * Connects, or fails once: ERR_NATS_UNREACHABLE (refused, unreachable, unknown name) or
   * ERR_NOT_NATS (a port that answers but does not greet like NATS), the URL in details. nats.js
   * does not retry a failed first connect (`waitOnFirstConnect` stays off), so nothing lingers.
   */
  static async connect(options: NatsTransportOptions): Promise<NatsTransport> {
    const servers = typeof options.servers === 'string' ? [options.servers] : [...options.servers];
    const subjects = subjectsFor(options.namespace);
    const auth = natsAuthOptions(options.auth, options.tls);
    try {
      const nc = await connect({
        servers,
        name: options.name,
        timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 200,
        reconnectJitter: 50,
        ...auth,
        ...options.connectOptions,
      });
      return new NatsTransport(nc, subjects);
    } catch (error) {
      throw await connectError(error, servers);
    }
  }

  publish(subject: string, data: Uint8Array): void {
    this.#checkSize(subject, data);
    try {
      this.connection.publish(subject, data);
    } catch (error) {
      throw mapError(error, subject);
    }
  }

  subscribe(subject: string, handler: MsgHandler, options: SubscribeOptions = {}): Subscription {
    const sub = this.connection.subscribe(subject, {
      queue: options.queue,
      callback: (error, msg) => {
        if (error) {
          // a refused subscription is reported once, by the connection's status (#pumpStatus)
          if (!(error instanceof natsErrors.PermissionViolationError))
            this.#status.emit({ type: 'error', error: mapError(error, subject) });
          return;
        }
        this.#deliver(handler, msg);
      },
    });
    return { subject, unsubscribe: () => sub.unsubscribe() };
  }

  async request(
    subject: string,
    data: Uint8Array,
    options: RequestOptions = {},
  ): Promise<Uint8Array> {
    const timeout = options.timeoutMs ?? 2000;
    this.#checkSize(subject, data);
    return withRetry(async () => {
      try {
        // a reply subject under <ns>.inbox (recorded by the journal), while the connection's own
        // inbox stays `_INBOX` so JetStream API traffic is not recorded. With its own inbox
        // (noMux) nats.js ends the request at once when the server refuses its publish.
        const reply = createInbox(this.subjects.inboxPrefix);
        return plain(
          (await this.connection.request(subject, data, { timeout, noMux: true, reply })).data,
        );
      } catch (error) {
        throw mapError(error, subject);
      }
    }, options.retry);
  }

  /**
   * Refuses a message larger than the server's `max_payload` before nats.js sees it: its request
   * subscribes to the reply inbox (with a timer) before publishing, so a publish that throws for size
   * leaves that timer to reject a promise nobody holds, an unhandled rejection in the sender.
   */
  #checkSize(subject: string, data: Uint8Array): void {
    const max = this.connection.info?.max_payload;
    if (max !== undefined && data.byteLength > max) {
      throw new TransportError(
        'ERR_PAYLOAD_TOO_LARGE',
        `a message of ${data.byteLength} bytes is larger than the server's max_payload`,
        { details: { subject, size: data.byteLength, max } },
      );
    }
  }

  async flush(): Promise<void> {
    await this.connection.flush();
  }

  status(): AsyncIterable<TransportStatus> {
    return this.#status.iterate();
  }

  async close(): Promise<void> {
    if (this.connection.isClosed()) return;
    await this.connection.drain().catch(() => this.connection.close());
  }

  #deliver(handler: MsgHandler, msg: NatsMsg): void {
    const wrapped: Msg = {
      subject: msg.subject,
      data: plain(msg.data),
      reply: msg.reply || undefined,
      respond: (answer) => (msg.reply ? msg.respond(answer) : false),
    };
    try {
      const result = handler(wrapped);
      if (result instanceof Promise) {
        result.catch((error: unknown) =>
          this.#status.emit({ type: 'handler-error', subject: msg.subject, error }),
        );
      }
    } catch (error) {
      this.#status.emit({ type: 'handler-error', subject: msg.subject, error });
    }
  }

  async #pumpStatus(): Promise<void> {
    const closed = this.connection.closed();
    void closed.then(() => this.#status.emit({ type: 'closed' }));
    for await (const s of this.connection.status()) {
      if (s.type === 'error' && s.error instanceof natsErrors.PermissionViolationError) {
        this.#status.emit({ type: 'error', error: permissionError(s.error) });
        continue;
      }
      const event = mapStatus(s);
      if (event) this.#status.emit(event);
    }
  }
}

/** A failed first connect as our code; a timeout is told apart by whether TCP got through. */
async function connectError(error: unknown, servers: readonly string[]): Promise<TransportError> {
  if (error instanceof TransportError) return error;
  const url = shownServers(servers);
  const details = { url };
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof natsErrors.TimeoutError) {
    const reachable = (await Promise.all(servers.map(tcpReachable))).some(Boolean);
    return reachable
      ? new TransportError(
          'ERR_NOT_NATS',
          `the server at ${url} does not speak NATS (no NATS greeting in time)`,
          { details, cause: error },
        )
      : new TransportError('ERR_NATS_UNREACHABLE', `no NATS server answers at ${url}`, {
          details,
          cause: error,
        });
  }
  if (
    error instanceof natsErrors.AuthorizationError ||
    error instanceof natsErrors.UserAuthenticationExpiredError ||
    /authorization violation|authentication/i.test(message)
  ) {
    return new TransportError(
      'ERR_NATS_AUTH',
      `the NATS server at ${url} refused the credentials: ${message}`,
      { details, cause: error },
    );
  }
  if (isTlsFailure(error, message)) {
    return new TransportError('ERR_NATS_TLS', `no TLS session with ${url}: ${message}`, {
      details,
      cause: error,
    });
  }
  // nats.js's words for a server that answered with something other than INFO
  if (/unexpected response|parse|protocol/i.test(message)) {
    return new TransportError('ERR_NOT_NATS', `the server at ${url} does not speak NATS`, {
      details,
      cause: error,
    });
  }
  const errno =
    (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  if (typeof errno === 'string' && NETWORK_ERRORS.has(errno)) {
    return new TransportError(
      'ERR_NATS_UNREACHABLE',
      `no NATS server answers at ${url} (${errno})`,
      {
        details: { ...details, errno },
        cause: error,
      },
    );
  }
  // a NATS server that turned the connection down (authorization, TLS required...): its words
  return new TransportError(
    'ERR_NATS_UNREACHABLE',
    `the NATS server at ${url} refused the connection: ${message}`,
    { details, cause: error },
  );
}

/** A refusal of the TLS handshake or of a certificate, on either side. */
function isTlsFailure(error: unknown, message: string): boolean {
  const code =
    (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  const causeMessage = String((error as { cause?: { message?: unknown } }).cause?.message ?? '');
  return (
    (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)/.test(code)) ||
    /\btls\b|ssl|certificate/i.test(`${message} ${causeMessage}`)
  );
}

/** A permission violation the server reported, as our code naming the subject. */
function permissionError(error: InstanceType<typeof natsErrors.PermissionViolationError>) {
  const what = error.operation === 'publish' ? 'publish to' : 'subscribe to';
  return new TransportError(
    'ERR_NATS_PERMISSION',
    `the NATS server refused to let this user ${what} ${error.subject}`,
    {
      details: { subject: error.subject, operation: error.operation },
      cause: error,
    },
  );
}

/** Socket errors that mean nobody could be reached at the URL. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
]);

/** True when a TCP connection to the URL's host and port opens within a second. */
async function tcpReachable(server: string): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(server.includes('://') ? server : `nats://${server}`);
    host = parsed.hostname.replace(/^\[|\]$/g, '');
    port = Number(parsed.port || 4222);
  } catch {
    return false;
  }
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

function mapStatus(s: Status): TransportStatus | undefined {
  switch (s.type) {
    case 'disconnect':
      return { type: 'disconnected', server: s.server };
    case 'reconnecting':
      return { type: 'reconnecting' };
    case 'reconnect':
      return { type: 'reconnected', server: s.server };
    case 'error':
      return { type: 'error', error: s.error };
    default:
      return undefined;
  }
}

function mapError(error: unknown, subject: string): TransportError {
  if (error instanceof TransportError) return error;
  for (let e: unknown = error; e instanceof Error; e = e.cause)
    if (e instanceof natsErrors.PermissionViolationError) return permissionError(e);
  const details = { subject };
  if (error instanceof natsErrors.TimeoutError) {
    return new TransportError('ERR_TIMEOUT', 'no reply in time', { details, cause: error });
  }
  if (
    error instanceof natsErrors.NoRespondersError ||
    (error instanceof natsErrors.RequestError && error.isNoResponders())
  ) {
    return new TransportError('ERR_NO_RESPONDERS', 'nobody is subscribed to the subject', {
      details,
      cause: error,
    });
  }
  if (
    error instanceof natsErrors.ClosedConnectionError ||
    error instanceof natsErrors.DrainingConnectionError
  ) {
    return new TransportError('ERR_TRANSPORT_CLOSED', 'transport is closed', {
      details,
      cause: error,
    });
  }
  if (error instanceof natsErrors.RequestError || error instanceof natsErrors.ConnectionError) {
    return new TransportError(
      'ERR_TRANSPORT_DISCONNECTED',
      'connection trouble during the request',
      { details, cause: error },
    );
  }
  return new TransportError('ERR_TRANSPORT_DISCONNECTED', 'request failed', {
    details,
    cause: error,
  });
}

/** nats.js hands out Buffers; everything above the transport sees plain Uint8Arrays. */
function plain(data: Uint8Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
