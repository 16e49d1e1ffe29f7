// The envelope's fixed byte layout (docs/protocol.md): a msgpack fixmap of 8 entries whose keys
// appear in this exact order, `sig` last. The signature covers the "unsigned envelope": the same
// bytes with the map header 0x88 replaced by 0x87 and the `sig` entry cut off, which is itself
// the msgpack encoding of the 7-entry map {v, kind, computation, from, seq, ts, body}.
// Senders write it with minimal encodings (below). Receivers require the keys as fixstr (their
// shortest form) and accept any valid encoding of the right type for values, since the signature
// covers whatever bytes were sent.

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
export const computationPattern = /^[A-Za-z0-9_-]{1,64}$/;
/** A sender id: printable ASCII without spaces (e.g. `participant:1`, `enclave`, `verifier`). */
export const senderPattern = /^[\x21-\x7e]{1,128}$/;

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
