// Signed envelopes. Opening is verify-then-use (jose): check the size, copy the bytes, scan them as
// plain msgpack, check the fixed shape, look up the sender's key, verify the signature over the
// exact bytes, and only then decode the body and validate it against its kind's schema. An
// envelope of version 2 belongs to a session channel: its `sig` is the channel id and an HMAC under
// the channel's key for that direction (docs/protocol.md, "Session channels"), checked the same way.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Infer } from '../protocol/index.js';
import { TransportError } from './errors.js';
import { type KindRegistry, type MessageKind } from './kinds.js';
import {
  defaultLimits,
  encodePlain,
  decodePlain,
  unpackChecked,
  type DecodeLimits,
} from './plain-msgpack.js';
import { scanMsgpack } from './msgpack-scan.js';
import { signBytes, verifyBytes, type CryptoKey } from './signing-keys.js';
import {
  envelopeHeaderSchema,
  envelopeKeys,
  envelopeMapHeader,
  envelopeSchema,
  envelopeVersion,
  channelEnvelopeSchema,
  macEnvelopeVersion,
  signedPart,
  writeSigned,
  writeUnsigned,
  type EnvelopeHeader,
} from './envelope-layout.js';

export type { EnvelopeHeader };

interface Envelope<T = unknown> extends EnvelopeHeader {
  readonly v: 1 | 2;
  readonly body: T;
}

export interface OpenedEnvelope<T = unknown> extends Envelope<T> {
  /** The verified envelope bytes (a private copy of the input). */
  readonly bytes: Uint8Array;
  /** Version 2: the session channel (hex of its 16-byte id) whose MAC key verified it. */
  readonly channel?: string;
}

/** Bytes of a channel id, and of its HMAC-SHA256, in a version 2 `sig`. */
export const CHANNEL_ID_BYTES = 16;
const MAC_BYTES = 32;

/**
 * The receiver's MAC key of a session channel (hex id) for messages from `from`, or undefined when
 * no such channel is open to this receiver.
 */
export type MacKeyLookup = (
  channel: string,
  from: string,
  computation: string,
) => Uint8Array | undefined;

/**
 * The sender's verification key, or undefined when `from` is unknown for this computation.
 * `unverifiedBody` (the body's msgpack bytes, NOT yet verified) is for a receiver whose senders
 * are named inside the message itself (a launch request's policy names its participants): it may
 * only pick the candidate key, which the signature check then confirms.
 */
export type KeyLookup = (
  from: string,
  computation: string,
  unverifiedBody: Uint8Array,
) => CryptoKey | undefined | Promise<CryptoKey | undefined>;

export interface OpenOptions {
  readonly keys: KeyLookup;
  readonly kinds: KindRegistry;
  /** Envelope size limit and body depth limit (defaults: 8 MiB, 32). */
  readonly limits?: DecodeLimits;
  /** Keys of the session channels this receiver holds (version 2 envelopes; none: refused). */
  readonly macKeys?: MacKeyLookup;
}

/** Encodes `body` as plain msgpack, checks it against its kind (when given), and signs. */
export async function signEnvelope<T>(
  header: EnvelopeHeader,
  body: T,
  key: CryptoKey,
  kind?: MessageKind<T> | KindRegistry,
): Promise<Uint8Array> {
  checkHeader(header);
  if (kind) (('get' in kind ? kind.get(header.kind) : kind) as MessageKind<unknown>).validate(body);
  const unsigned = writeUnsigned(header, encodePlain(body));
  return writeSigned(unsigned, await signBytes(key, unsigned));
}

/**
 * A session-channel envelope (version 2): `sig` = channel id || HMAC-SHA256(key, unsigned), the
 * unsigned bytes naming version 2 (so no MAC'd envelope reads as a signed one). Synchronous.
 */
export function macEnvelope<T>(
  header: EnvelopeHeader,
  body: T,
  channel: Uint8Array,
  key: Uint8Array,
  kind?: MessageKind<T> | KindRegistry,
): Uint8Array {
  checkHeader(header);
  if (channel.length !== CHANNEL_ID_BYTES) throw malformed('a channel id is 16 bytes');
  if (kind) (('get' in kind ? kind.get(header.kind) : kind) as MessageKind<unknown>).validate(body);
  const unsigned = writeUnsigned(header, encodePlain(body), macEnvelopeVersion);
  const sig = new Uint8Array(CHANNEL_ID_BYTES + MAC_BYTES);
  sig.set(channel);
  sig.set(createHmac('sha256', key).update(unsigned).digest(), CHANNEL_ID_BYTES);
  return writeSigned(unsigned, sig);
}

/** Verifies and decodes an envelope from an untrusted peer. */
export async function openEnvelope(
  input: Uint8Array,
  options: OpenOptions,
): Promise<OpenedEnvelope> {
  const limits = options.limits ?? defaultLimits;
  if (!(input instanceof Uint8Array)) throw malformed('envelope must be bytes');
  if (input.length > limits.maxBytes) {
    throw new TransportError('ERR_ENVELOPE_TOO_LARGE', 'envelope exceeds the maximum size', {
      details: { size: input.length, max: limits.maxBytes },
    });
  }
  const bytes = input.slice(); // a private copy: the caller's buffer may change during awaits
  const { v, header, body, sig, sigKeyStart } = readShape(bytes, limits);
  if (v === macEnvelopeVersion) {
    const channel = Buffer.from(sig.subarray(0, CHANNEL_ID_BYTES)).toString('hex');
    const key = options.macKeys?.(channel, header.from, header.computation);
    if (!key) {
      throw new TransportError('ERR_CHANNEL_UNKNOWN', 'no session channel of that id is open', {
        details: { from: header.from, kind: header.kind, channel },
      });
    }
    const mac = createHmac('sha256', key).update(signedPart(bytes, sigKeyStart)).digest();
    if (!timingSafeEqual(mac, sig.subarray(CHANNEL_ID_BYTES))) {
      throw new TransportError('ERR_MAC_INVALID', "the envelope's MAC does not verify", {
        details: { from: header.from, kind: header.kind, channel },
      });
    }
    return { v, ...header, body: decodeBody(body, header.kind, options, limits), bytes, channel };
  }
  const key = await options.keys(header.from, header.computation, body);
  if (!key) {
    throw new TransportError('ERR_UNKNOWN_SENDER', 'no key known for the sender', {
      details: { from: header.from, computation: header.computation },
    });
  }
  if (!(await verifyBytes(key, sig, signedPart(bytes, sigKeyStart)))) {
    throw new TransportError('ERR_SIGNATURE_INVALID', 'envelope signature does not verify', {
      details: { from: header.from, kind: header.kind },
    });
  }
  return {
    v: envelopeVersion,
    ...header,
    body: decodeBody(body, header.kind, options, limits),
    bytes,
  };
}

function decodeBody(
  body: Uint8Array,
  kind: string,
  options: OpenOptions,
  limits: DecodeLimits,
): unknown {
  return options.kinds
    .get(kind)
    .validate(decodePlain(body, { maxBytes: limits.maxBytes, maxDepth: limits.maxDepth }));
}

/**
 * The header of an envelope WITHOUT verifying it: for routing and journal listings only. Anything
 * acted upon must come from `openEnvelope`.
 */
export function readEnvelopeHeaderUnverified(
  bytes: Uint8Array,
  limits: DecodeLimits = defaultLimits,
): EnvelopeHeader {
  return readShape(bytes, limits).header;
}

/** Narrows an opened envelope to a kind's body type (checking the kind name). */
export function bodyOf<T>(envelope: OpenedEnvelope, kind: MessageKind<T>): T {
  if (envelope.kind !== kind.kind) {
    throw new TransportError('ERR_UNKNOWN_KIND', 'envelope is of another kind', {
      details: { expected: kind.kind, actual: envelope.kind },
    });
  }
  return envelope.body as T;
}

interface Shape {
  v: 1 | 2;
  header: EnvelopeHeader;
  body: Uint8Array;
  sig: Uint8Array;
  sigKeyStart: number;
}

function readShape(bytes: Uint8Array, limits: DecodeLimits): Shape {
  // depth 1: the envelope itself is a flat map; the body is opaque bytes until verified
  const items = scanMsgpack(bytes, { maxBytes: limits.maxBytes, maxDepth: 1 });
  if (bytes[0] !== envelopeMapHeader || items.length !== 16) {
    throw malformed('envelope must be a fixmap of 8 entries');
  }
  envelopeKeys.forEach((name, i) => {
    const span = items[2 * i] as { start: number; end: number };
    if (!sameBytes(bytes, span.start, span.end, encodedKeys[i] as Uint8Array)) {
      throw malformed(`envelope entry ${i} must be "${name}"`);
    }
  });
  // keys are now known to be exactly these 8, distinct and in order: decode the map in one call
  const map = unpackChecked(bytes) as Record<(typeof envelopeKeys)[number], unknown>;
  if (map.v !== envelopeVersion && map.v !== macEnvelopeVersion)
    throw malformed('unsupported envelope version');
  const schema = map.v === envelopeVersion ? envelopeSchema : channelEnvelopeSchema;
  const problem = schema(map, 'envelope');
  if (problem !== undefined) throw malformed(problem);
  const { kind, computation, from, seq, ts, body, sig } = map as Infer<typeof envelopeSchema>;
  const v = map.v;
  if (v === macEnvelopeVersion && sig.length !== CHANNEL_ID_BYTES + MAC_BYTES)
    throw malformed('a channel envelope carries a 16-byte channel id and a 32-byte MAC');
  const header = { kind, computation, from, seq, ts };
  return { v, header, body, sig, sigKeyStart: (items[14] as { start: number }).start };
}

/** Each key's shortest msgpack encoding (fixstr), as senders write it. */
const encodedKeys = envelopeKeys.map((k) => encodePlain(k));

function sameBytes(bytes: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[start + i] !== expected[i]) return false;
  return true;
}

function checkHeader(h: EnvelopeHeader): void {
  const { kind, computation, from, seq, ts } = h;
  const problem = envelopeHeaderSchema({ kind, computation, from, seq, ts }, 'header');
  if (problem !== undefined) throw malformed(problem);
}

function malformed(message: string): TransportError {
  return new TransportError('ERR_ENVELOPE_MALFORMED', message);
}
