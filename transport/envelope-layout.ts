// The envelope's fixed byte layout (docs/protocol.md): a msgpack fixmap of 8 entries whose keys
// appear in this exact order, `sig` last. The signature covers the "unsigned envelope": the same
// bytes with the map header 0x88 replaced by 0x87 and the `sig` entry cut off, which is itself
// the msgpack encoding of the 7-entry map {v, kind, computation, from, seq, ts, body}.
// Senders write it with minimal encodings (below). Receivers require the keys as fixstr (their
// shortest form) and accept any valid encoding of the right type for values, since the signature
// covers whatever bytes were sent.

import { bytes, literal, obj, str, uint } from '../protocol/index.js';
import { kindPattern } from './kinds.js';
import { MsgpackWriter } from './msgpack-write.js';

export const envelopeKeys = [
  'v',
  'kind',
  'computation',
  'from',
  'seq',
  'ts',
  'body',
  'sig',
] as const;
const signedMapHeader = 0x87;
export const envelopeMapHeader = 0x88;
export const envelopeVersion = 1;
/** A session-channel envelope: `sig` is the channel id (16 bytes) and an HMAC-SHA256 (32). */
export const macEnvelopeVersion = 2;

/** A computation id is one NATS subject token. */
const computationPattern = /^[A-Za-z0-9_-]{1,64}$/;
/** A sender id: printable ASCII without spaces (e.g. `participant:1`, `enclave`, `verifier`). */
const senderPattern = /^[\x21-\x7e]{1,128}$/;

/** The signed header's fields: what senders write and receivers check before the signature. */
const headerFields = {
  kind: str(64, kindPattern),
  computation: str(64, computationPattern),
  from: str(128, senderPattern),
  seq: uint(),
  ts: uint(),
};
/** A header as `signEnvelope` takes it. */
export const envelopeHeaderSchema = obj(headerFields);
/**
 * The decoded envelope map (docs/asyncapi.yaml's envelope is generated from it). Its key order is
 * `envelopeKeys`, checked on the bytes; `body` holds the plain msgpack of the kind's body.
 */
export const envelopeSchema = obj({
  v: literal(envelopeVersion),
  ...headerFields,
  body: bytes(),
  /** ECDSA P-256 (IEEE P1363 r || s) or Ed25519: 64 bytes either way. */
  sig: bytes(64),
});
/**
 * A session-channel envelope (version 2, docs/protocol.md "Session channels"): the same map, its
 * `sig` the channel id (16 bytes) then an HMAC-SHA256 (32 bytes) under the channel's key for its
 * direction.
 */
export const channelEnvelopeSchema = obj({
  v: literal(macEnvelopeVersion),
  ...headerFields,
  body: bytes(),
  sig: bytes(48),
});

export interface EnvelopeHeader {
  readonly kind: string;
  readonly computation: string;
  readonly from: string;
  readonly seq: number;
  readonly ts: number;
}

/** The unsigned envelope: fixmap(7) {v, kind, computation, from, seq, ts, body}. */
export function writeUnsigned(
  header: EnvelopeHeader,
  body: Uint8Array,
  version: number = envelopeVersion,
): Uint8Array {
  const w = new MsgpackWriter();
  w.push(Uint8Array.of(signedMapHeader));
  w.str('v');
  w.uint(version);
  w.str('kind');
  w.str(header.kind);
  w.str('computation');
  w.str(header.computation);
  w.str('from');
  w.str(header.from);
  w.str('seq');
  w.uint(header.seq);
  w.str('ts');
  w.uint(header.ts);
  w.str('body');
  w.bin(body);
  return w.concat();
}

/** The envelope: the unsigned bytes with header 0x88, followed by `sig`. */
export function writeSigned(unsigned: Uint8Array, sig: Uint8Array): Uint8Array {
  const w = new MsgpackWriter();
  w.str('sig');
  w.bin(sig);
  const tail = w.concat();
  const out = new Uint8Array(unsigned.length + tail.length);
  out.set(unsigned);
  out[0] = envelopeMapHeader;
  out.set(tail, unsigned.length);
  return out;
}

/** The signed bytes of a received envelope, given the offset where its `sig` key starts. */
export function signedPart(envelope: Uint8Array, sigKeyStart: number): Uint8Array {
  const out = envelope.slice(0, sigKeyStart);
  out[0] = signedMapHeader;
  return out;
}
