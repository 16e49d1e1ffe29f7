// One signer on the bus (transport/Transport): every message it sends is a signed envelope
// (transport/envelope.ts) with its sender id and an increasing `seq`; everything it receives is
// opened verify-then-use against a caller-given key lookup. Requests it serves go through the
// transport's idempotency cache (a retried request gets the cached reply, a replay is refused), and
// refusals are answered with a signed `protocol.error`. Messages are typed by kind: an opened
// envelope's body has passed its kind's schema, so `Inbound` pairs each kind with its body type.
// Messages of a session channel (session-channel.ts) are MAC'd instead of signed: `sealMac` on the
// participant's side; on the serving side a request that came on a channel is recorded in its
// transcript and answered on it, unless the handler says otherwise.
import type { EnclaveChannels } from './session-channel.js';
import { webcrypto } from 'node:crypto';
import {
  type VcError,
  toVcError,
  type BodyOf,
  type MessageKind,
  type RequestKind,
  ProtocolError,
} from '../../protocol/index.js';
import {
  macEnvelope,
  type MacKeyLookup,
  openEnvelope,
  readEnvelopeHeaderUnverified,
  signEnvelope,
  type KeyLookup,
  type OpenedEnvelope,
  IdempotencyCache,
  serveEnvelopes,
  type ServedSubscription,
  type Transport,
  protocolKinds,
} from '../../transport/index.js';
import { shortId, type OperatorLog } from './log.js';
import { keySenderId } from './sender-ids.js';

export type { Transport };
export type Unsubscribe = () => void;

export interface Signer {
  readonly id: string;
  readonly key: webcrypto.CryptoKey;
}

interface Received {
  readonly from: string;
  readonly seq: number;
  readonly ts: number;
  readonly computation: string;
  /** The verified envelope bytes. */
  readonly bytes: Uint8Array;
  /** The session channel (hex id) whose MAC verified it; absent: signed. */
  readonly channel?: string;
}

/** A verified message; switching on `kind` narrows `body` to that kind's body type. */
export type Inbound<K extends MessageKind = MessageKind> = {
  [P in K]: Received & { readonly kind: P; readonly body: BodyOf<P> };
}[K];

/**
 * A message to send: a kind and its body. As a reply, `channel` names the session channel it is
 * MAC'd on (default: the request's; `null`: signed).
 */
export type Outbound<K extends MessageKind = MessageKind> = {
  [P in K]: { readonly kind: P; readonly body: BodyOf<P>; readonly channel?: string | null };
}[K];

export interface ServeOptions {
  readonly keys: KeyLookup;
  readonly queue?: string;
  /** Turns a failure to open a request (unknown sender, bad signature...) into the refusal sent back. */
  readonly refuse?: (error: VcError) => VcError;
  /** The session channels requests may come on (none: only signed requests are heard). */
  readonly channels?: EnclaveChannels;
}

/**
 * The one place an opened envelope becomes a typed message: the protocol's kind registry refused
 * unknown kinds and checked the body against its kind's schema while opening it.
 */
function inbound(e: OpenedEnvelope): Inbound {
  return {
    kind: e.kind,
    from: e.from,
    seq: e.seq,
    ts: e.ts,
    computation: e.computation,
    body: e.body,
    bytes: e.bytes,
    ...(e.channel === undefined ? {} : { channel: e.channel }),
  } as Inbound;
}

export class Endpoint {
  readonly transport: Transport;
  readonly signer: Signer;
  readonly #clock: () => number;
  readonly #cache = new IdempotencyCache();
  /** Publishes being signed and requests being answered: what `flush` waits for. */
  readonly #sending = new Set<Promise<unknown>>();
  readonly #served = new Set<ServedSubscription>();
  readonly #log: OperatorLog | undefined;
  #seq: number;

  /** With `log`, every request served (or refused) is one operator log line (metadata only). */
  constructor(
    transport: Transport,
    signer: Signer,
    clock: () => number = Date.now,
    log?: OperatorLog,
  ) {
    this.transport = transport;
    this.signer = signer;
    this.#clock = clock;
    this.#log = log;
    // Starts from the clock (in microsecond steps) so that a sender that comes back with a new
    // endpoint keeps increasing: receivers treat a known (sender, seq) as a retry of the old request.
    this.#seq = clock() * 1000;
  }

  /**
   * An endpoint under a fresh P-256 key whose self-certifying id (`k:<point>`) is the key itself:
   * how hosts and launchers, which hold no certificate, speak on the bus.
   */
  static async withFreshKey(
    transport: Transport,
    clock: () => number,
    log?: OperatorLog,
  ): Promise<Endpoint> {
    const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ]);
    return new Endpoint(
      transport,
      { id: await keySenderId(pair.publicKey), key: pair.privateKey },
      clock,
      log,
    );
  }

  get id(): string {
    return this.signer.id;
  }

  async seal<K extends MessageKind>(
    computation: string,
    kind: K,
    body: BodyOf<K>,
  ): Promise<Uint8Array> {
    const header = { kind, computation, from: this.signer.id, seq: ++this.#seq, ts: this.#clock() };
    return signEnvelope(header, body, this.signer.key, protocolKinds());
  }

  /** A message MAC'd on a session channel (`key`: this end's sending key); synchronous. */
  sealMac<K extends MessageKind>(
    channel: { id: Uint8Array; key: Uint8Array },
    computation: string,
    kind: K,
    body: BodyOf<K>,
  ): { seq: number; bytes: Uint8Array } {
    const header = { kind, computation, from: this.signer.id, seq: ++this.#seq, ts: this.#clock() };
    const bytes = macEnvelope(header, body, channel.id, channel.key, protocolKinds());
    return { seq: header.seq, bytes };
  }

  async open(bytes: Uint8Array, keys: KeyLookup, macKeys?: MacKeyLookup): Promise<Inbound> {
    return inbound(
      await openEnvelope(bytes, {
        keys,
        kinds: protocolKinds(),
        ...(macKeys ? { macKeys } : {}),
      }),
    );
  }

  /** Resolves once the message has been handed to the transport. */
  publish<K extends MessageKind>(
    subject: string,
    computation: string,
    kind: K,
    body: BodyOf<K>,
  ): Promise<void> {
    const sending = this.seal(computation, kind, body).then((bytes) =>
      this.transport.publish(subject, bytes),
    );
    this.#sending.add(sending);
    void sending.then(
      () => this.#sending.delete(sending),
      () => this.#sending.delete(sending),
    );
    return sending;
  }

  /**
   * Resolves once everything published so far has been handed to the transport, every request
   * received so far has been answered, and the transport has flushed: a server about to stop awaits
   * this so that its last replies leave.
   */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#sending]);
    await Promise.all([...this.#served].map((s) => s.answered()));
    await this.transport.flush();
  }

  /** Sends a request; retries resend the same envelope (same seq), so the receiver deduplicates. */
  async request<K extends RequestKind>(
    subject: string,
    computation: string,
    kind: K,
    body: BodyOf<K>,
    options: { keys: KeyLookup; macKeys?: MacKeyLookup; timeoutMs?: number; attempts?: number },
  ): Promise<Inbound> {
    const bytes = await this.seal(computation, kind, body);
    const reply = await this.transport.request(subject, bytes, {
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: { attempts: options.attempts ?? 3 },
    });
    return this.open(reply, options.keys, options.macKeys);
  }

  subscribe(
    subject: string,
    keys: KeyLookup,
    handler: (message: Inbound) => void,
    onError?: (e: VcError) => void,
  ): Unsubscribe {
    const sub = this.transport.subscribe(subject, async (msg) => {
      try {
        handler(await this.open(msg.data, keys));
      } catch (error) {
        onError?.(toVcError(error));
      }
    });
    return () => sub.unsubscribe();
  }

  /** Answers requests on `subject`; a handler's thrown VcError becomes a `protocol.error` reply. */
  serve(
    subject: string,
    options: ServeOptions,
    handler: (message: Inbound) => Promise<Outbound>,
  ): Unsubscribe {
    const sub = serveEnvelopes({
      transport: this.transport,
      subject,
      ...(options.queue === undefined ? {} : { queue: options.queue }),
      open: {
        keys: options.keys,
        kinds: protocolKinds(),
        ...(options.channels ? { macKeys: options.channels.macKeys } : {}),
      },
      cache: this.#cache,
      handle: async (e) => {
        const started = performance.now();
        // A channel's request is in its transcript before its handler runs (a close included).
        if (e.channel !== undefined) options.channels?.record(e.channel, true, e.seq, e.bytes);
        let reply: Outbound;
        try {
          reply = await handler(inbound(e));
        } catch (error) {
          reply = { kind: 'protocol.error', body: wireBody(toVcError(error)) };
        }
        this.#log?.info(
          {
            kind: e.kind,
            computation: e.computation,
            from: shortId(e.from),
            outcome: reply.kind === 'protocol.error' ? reply.body.code : 'ok',
            ms: Math.round(performance.now() - started),
          },
          'served',
        );
        const channel = reply.channel === undefined ? e.channel : reply.channel;
        const on = channel == null ? undefined : options.channels?.replyKey(channel);
        if (channel == null || !on) return this.#sealReply(e.computation, reply);
        const sealed = this.sealMac(on, e.computation, reply.kind, reply.body);
        options.channels!.record(channel, false, sealed.seq, sealed.bytes);
        return sealed.bytes;
      },
      onRefused: (error, msg) => {
        const refusal = options.refuse ? options.refuse(error) : error;
        // Not opened: the header is unverified, so only the subject and the code are logged.
        this.#log?.warn({ subject, outcome: refusal.code }, 'refused');
        return this.#refusal(msg.data, refusal);
      },
    });
    this.#served.add(sub);
    return () => {
      sub.unsubscribe();
      this.#served.delete(sub);
    };
  }

  #sealReply<K extends MessageKind>(computation: string, reply: Outbound<K>): Promise<Uint8Array> {
    return this.seal(computation, reply.kind, reply.body);
  }

  async #refusal(request: Uint8Array, error: VcError): Promise<Uint8Array> {
    let computation = '_';
    try {
      computation = readEnvelopeHeaderUnverified(request).computation;
    } catch {
      // unreadable header: reply under a placeholder computation
    }
    return this.seal(computation, 'protocol.error', wireBody(error));
  }
}

/** A VcError as an error body: plain values only, so it passes the body schema. */
function wireBody(error: VcError): BodyOf<'protocol.error'> {
  const wire = error.toWire();
  return wire.details === undefined
    ? { code: wire.code, message: wire.message }
    : {
        code: wire.code,
        message: wire.message,
        details: JSON.parse(JSON.stringify(wire.details)) as Record<string, unknown>,
      };
}

/** Throws the refusal carried by a `protocol.error` reply; returns the body of `kind` otherwise. */
export function expectReply<K extends MessageKind>(message: Inbound, kind: K): BodyOf<K> {
  if (message.kind === 'protocol.error') {
    const body = message.body;
    throw new ProtocolError(
      body.code,
      body.message,
      body.details ? { details: body.details } : undefined,
    );
  }
  if (message.kind !== kind) {
    throw new ProtocolError('ERR_BAD_MESSAGE', `expected ${kind}, got ${message.kind}`);
  }
  // The kind was just compared; TypeScript does not carry a generic kind into the union's members.
  return message.body as BodyOf<K>;
}
