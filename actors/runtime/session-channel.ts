// Session channels (docs/protocol.md, "Session channels"; argued in docs/threat-model.md): after
// phase 6 a participant opens a channel with one signed `session.open` carrying an HPKE
// encapsulation to the enclave's attested key; both ends export two MAC keys from that context
// (one per direction), and the channel's later requests and replies are version 2 envelopes
// authenticated by an HMAC instead of an ECDSA signature. Each end keeps the channel's transcript;
// `session.close` is answered with the enclave's signed `session.receipt` over it, which the
// participant checks against its own and which lets anyone reading the journal authenticate the
// channel's messages.
import { createHash, type webcrypto } from 'node:crypto';
import { ProtocolError, type BodyOf } from '../../protocol/index.js';
import {
  channelSecretsFrom,
  channelSecretsTo,
  type ChannelSecrets,
  CHANNEL_ID_BYTES,
  type MacKeyLookup,
  Transcript,
} from '../../transport/index.js';

/** `veracruz-ts/v1 channel|<computation>|<session>|<participant sender id>` */
function channelInfo(computation: string, session: string, participant: string): Uint8Array {
  return new TextEncoder().encode(
    `veracruz-ts/v1 channel|${computation}|${session}|${participant}`,
  );
}

/** A channel's id: the first 16 bytes of SHA-256 of its `enc` (fresh per channel). */
export function channelIdOf(enc: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(enc).digest().subarray(0, CHANNEL_ID_BYTES));
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The participant's end of one channel. */
export class ParticipantChannel {
  readonly id: Uint8Array;
  readonly idHex: string;
  readonly enc: Uint8Array;
  readonly enclave: string;
  readonly #secrets: ChannelSecrets;
  readonly #transcript: Transcript;

  private constructor(enc: Uint8Array, secrets: ChannelSecrets, enclave: string) {
    this.enc = enc;
    this.id = channelIdOf(enc);
    this.idHex = hex(this.id);
    this.enclave = enclave;
    this.#secrets = secrets;
    this.#transcript = new Transcript(this.id);
  }

  /** A fresh channel to the enclave `enclave` (sender id) of `session`, keyed to its HPKE key. */
  static async create(
    hpkeKey: Uint8Array,
    context: { computation: string; session: string; participant: string; enclave: string },
  ): Promise<ParticipantChannel> {
    const info = channelInfo(context.computation, context.session, context.participant);
    const { enc, secrets } = await channelSecretsTo(hpkeKey, info);
    return new ParticipantChannel(enc, secrets, context.enclave);
  }

  /** The key this end MACs its requests with. */
  get sendKey(): Uint8Array {
    return this.#secrets.toEnclave;
  }

  /** Replies verify only on this channel, only from its enclave. */
  readonly macKeys: MacKeyLookup = (channel, from) =>
    channel === this.idHex && from === this.enclave ? this.#secrets.toParticipant : undefined;

  /** A request sent on the channel (its exact bytes, retries included: the same bytes count once). */
  sent(seq: number, bytes: Uint8Array): void {
    this.#transcript.add(true, seq, bytes);
  }

  /** A reply that verified on the channel. */
  received(seq: number, bytes: Uint8Array): void {
    this.#transcript.add(false, seq, bytes);
  }

  /** The enclave's receipt must name this channel and match this end's transcript exactly. */
  checkReceipt(receipt: BodyOf<'session.receipt'>): void {
    const own = this.#transcript.summary();
    if (
      hex(receipt.channel) !== this.idHex ||
      receipt.requests !== own.requests ||
      receipt.replies !== own.replies ||
      receipt.transcript !== own.transcript
    ) {
      throw new ProtocolError(
        'ERR_SESSION_RECEIPT_MISMATCH',
        "the enclave's session receipt does not match the messages of the channel",
        {
          details: {
            channel: this.idHex,
            expected: own,
            receipt: {
              channel: hex(receipt.channel),
              requests: receipt.requests,
              replies: receipt.replies,
              transcript: receipt.transcript,
            },
          },
        },
      );
    }
  }
}

interface Open {
  readonly owner: string;
  readonly session: string;
  readonly id: Uint8Array;
  readonly secrets: ChannelSecrets;
  readonly transcript: Transcript;
}

/** Channels one sender may hold open at once; opening one more closes its oldest (no receipt). */
const CHANNELS_PER_SENDER = 8;

/** The enclave's end: every open channel of this enclave run. */
export class EnclaveChannels {
  readonly #hpke: webcrypto.CryptoKeyPair;
  readonly #computation: string;
  readonly #open = new Map<string, Open>();

  constructor(hpke: webcrypto.CryptoKeyPair, computation: string) {
    this.#hpke = hpke;
    this.#computation = computation;
  }

  /** Opens the channel of a verified `session.open` from `owner`; returns its id (hex). */
  async accept(owner: string, body: BodyOf<'session.open'>): Promise<string> {
    const info = channelInfo(this.#computation, body.session, owner);
    const secrets = await channelSecretsFrom(this.#hpke, body.enc, info);
    const id = channelIdOf(body.enc);
    const idHex = hex(id);
    if (this.#open.has(idHex))
      throw new ProtocolError(
        'ERR_BAD_MESSAGE',
        'a session channel with that encapsulation is open',
      );
    const owned = [...this.#open.entries()].filter(([, c]) => c.owner === owner);
    if (owned.length >= CHANNELS_PER_SENDER) this.#open.delete(owned[0]![0]);
    this.#open.set(idHex, {
      owner,
      session: body.session,
      id,
      secrets,
      transcript: new Transcript(id),
    });
    return idHex;
  }

  /** Requests verify only under their channel's owner's key. */
  readonly macKeys: MacKeyLookup = (channel, from) => {
    const open = this.#open.get(channel);
    return open && open.owner === from ? open.secrets.toEnclave : undefined;
  };

  /** The id and key replies on `channel` are MAC'd with; undefined once it closed. */
  replyKey(channel: string): { id: Uint8Array; key: Uint8Array } | undefined {
    const open = this.#open.get(channel);
    return open && { id: open.id, key: open.secrets.toParticipant };
  }

  record(channel: string, toEnclave: boolean, seq: number, bytes: Uint8Array): void {
    this.#open.get(channel)?.transcript.add(toEnclave, seq, bytes);
  }

  /** Closes `channel` (its owner's `session.close`, already recorded) and returns the receipt. */
  close(channel: string): BodyOf<'session.receipt'> {
    const open = this.#open.get(channel);
    if (!open)
      throw new ProtocolError('ERR_CHANNEL_UNKNOWN', 'no session channel of that id is open');
    this.#open.delete(channel);
    return { session: open.session, channel: open.id, ...open.transcript.summary() };
  }
}
