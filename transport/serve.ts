// Serving signed requests: open each envelope (verify-then-use), run the handler at most once per
// (sender, seq) through an IdempotencyCache, and respond. Refusals (tampering, unknown sender,
// replay) go to `onRefused`, which may return a reply (e.g. a signed error envelope); otherwise the
// request is dropped and the sender's retry eventually times out. `answered()` tells a server that is
// about to stop when the replies it owes have been handed to the transport.
import { toVcError, type VcError } from '../protocol/index.js';
import { openEnvelope, type OpenedEnvelope, type OpenOptions } from './envelope.js';
import { IdempotencyCache } from './idempotency.js';
import type { Msg, Subscription, Transport } from './transport.js';

export interface ServeOptions {
  readonly transport: Transport;
  readonly subject: string;
  readonly queue?: string;
  readonly open: OpenOptions;
  /** Shared with other subscriptions of the same receiver; default: a new one. */
  readonly cache?: IdempotencyCache;
  /** Returns the reply bytes, or undefined for a message that needs none. */
  readonly handle: (envelope: OpenedEnvelope, msg: Msg) => Promise<Uint8Array | undefined>;
  readonly onRefused?: (
    error: VcError,
    msg: Msg,
  ) => Uint8Array | undefined | Promise<Uint8Array | undefined>;
}

export interface ServedSubscription extends Subscription {
  /** Resolves once every request received so far has been answered (or refused without a reply). */
  answered(): Promise<void>;
}

const noReply = new Uint8Array(0);

export function serveEnvelopes(options: ServeOptions): ServedSubscription {
  const cache = options.cache ?? new IdempotencyCache();
  const inFlight = new Set<Promise<void>>();
  const answer = async (msg: Msg): Promise<void> => {
    let reply: Uint8Array | undefined;
    try {
      const envelope = await openEnvelope(msg.data, options.open);
      reply = await cache.handle(
        envelope,
        async () => (await options.handle(envelope, msg)) ?? noReply,
      );
    } catch (error) {
      reply = await options.onRefused?.(toVcError(error), msg);
    }
    if (reply && reply.length > 0) msg.respond(reply);
  };
  const subscription = options.transport.subscribe(
    options.subject,
    (msg) => {
      const answering = answer(msg);
      inFlight.add(answering);
      return answering.finally(() => inFlight.delete(answering));
    },
    options.queue === undefined ? {} : { queue: options.queue },
  );
  return {
    subject: subscription.subject,
    unsubscribe: () => subscription.unsubscribe(),
    answered: async () => {
      await Promise.allSettled([...inFlight]);
    },
  };
}
