// One signer on the bus (transport/Transport): every message it sends is a signed envelope
// (transport/envelope.ts) with its sender id and an increasing `seq`; everything it receives is
// opened verify-then-use against a caller-given key lookup. Requests it serves go through the
// transport's idempotency cache (a retried request gets the cached reply, a replay is refused), and
// refusals are answered with a signed `protocol.error`.
import type { webcrypto } from 'node:crypto';
import type { VcError } from '../../protocol/errors.js';
import { toVcError } from '../../protocol/errors.js';
import { ProtocolError } from '../../protocol/messages/errors.js';
import {
  openEnvelope,
  readEnvelopeHeaderUnverified,
  signEnvelope,
  type KeyLookup,
} from '../../transport/envelope.js';
import { IdempotencyCache } from '../../transport/idempotency.js';
import { serveEnvelopes } from '../../transport/serve.js';
import type { Transport } from '../../transport/transport.js';
import { protocolKinds } from '../../transport/kinds.js';

export type { Transport };
export type Unsubscribe = () => void;

export interface Signer {
  readonly id: string;
  readonly key: webcrypto.CryptoKey;
}

export interface Inbound {
  readonly kind: string;
  readonly from: string;
  readonly seq: number;
  readonly ts: number;
  readonly computation: string;
  readonly body: unknown;
  /** The verified envelope bytes. */
  readonly bytes: Uint8Array;
}

export interface Outbound {
  readonly kind: string;
  readonly body: unknown;
}

export interface ServeOptions {
  readonly keys: KeyLookup;
  readonly queue?: string;
  /** Turns a failure to open a request (unknown sender, bad signature...) into the refusal sent back. */
  readonly refuse?: (error: VcError) => VcError;
}

export class Endpoint {
  readonly transport: Transport;
  readonly signer: Signer;
  readonly #clock: () => number;
  readonly #cache = new IdempotencyCache();
  #seq: number;

  constructor(transport: Transport, signer: Signer, clock: () => number = Date.now) {
    this.transport = transport;
    this.signer = signer;
    this.#clock = clock;
    // Starts from the clock (in microsecond steps) so that a sender that comes back with a new
    // endpoint keeps increasing: receivers treat a known (sender, seq) as a retry of the old request.
    this.#seq = clock() * 1000;
  }

  get id(): string {
    return this.signer.id;
  }

  async seal(computation: string, kind: string, body: unknown): Promise<Uint8Array> {
    const header = { kind, computation, from: this.signer.id, seq: ++this.#seq, ts: this.#clock() };
    return signEnvelope(header, body, this.signer.key, protocolKinds());
  }

  async open(bytes: Uint8Array, keys: KeyLookup): Promise<Inbound> {
    const e = await openEnvelope(bytes, { keys, kinds: protocolKinds() });
    return {
      kind: e.kind,
      from: e.from,
      seq: e.seq,
      ts: e.ts,
      computation: e.computation,
      body: e.body,
      bytes: e.bytes,
    };
  }

  async publish(subject: string, computation: string, kind: string, body: unknown): Promise<void> {
    this.transport.publish(subject, await this.seal(computation, kind, body));
  }

  /** Sends a request; retries resend the same envelope (same seq), so the receiver deduplicates. */
  async request(
    subject: string,
    computation: string,
    kind: string,
    body: unknown,
    options: { keys: KeyLookup; timeoutMs?: number; attempts?: number },
  ): Promise<Inbound> {
    const bytes = await this.seal(computation, kind, body);
    const reply = await this.transport.request(subject, bytes, {
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: { attempts: options.attempts ?? 3 },
    });
    return this.open(reply, options.keys);
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
      open: { keys: options.keys, kinds: protocolKinds() },
      cache: this.#cache,
      handle: async (e) => {
        const message: Inbound = {
          kind: e.kind,
          from: e.from,
          seq: e.seq,
          ts: e.ts,
          computation: e.computation,
          body: e.body,
          bytes: e.bytes,
        };
        let reply: Outbound;
        try {
          reply = await handler(message);
        } catch (error) {
          reply = { kind: 'protocol.error', body: wireBody(toVcError(error)) };
        }
        return this.seal(e.computation, reply.kind, reply.body);
      },
      onRefused: (error, msg) =>
        this.#refusal(msg.data, options.refuse ? options.refuse(error) : error),
    });
    return () => sub.unsubscribe();
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
function wireBody(error: VcError): Record<string, unknown> {
  const wire = error.toWire();
  return wire.details === undefined
    ? { code: wire.code, message: wire.message }
    : {
        code: wire.code,
        message: wire.message,
        details: JSON.parse(JSON.stringify(wire.details)) as Record<string, unknown>,
      };
}

/** Throws the refusal carried by a `protocol.error` reply; returns the body otherwise. */
export function expectReply<T>(message: Inbound, kind: string): T {
  if (message.kind === 'protocol.error') {
    throw ProtocolError.fromWire(
      message.body as { code: string; message: string; details?: Record<string, unknown> },
    );
  }
  if (message.kind !== kind) {
    throw new ProtocolError('ERR_BAD_MESSAGE', `expected ${kind}, got ${message.kind}`);
  }
  return message.body as T;
}
