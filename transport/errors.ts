// Transport refusals. Each has a stable code; callers (and tests) switch on `code`, never on the
// message. Messages never include key material or plaintext.
import { VcError, type ErrorCode } from '../protocol/errors.js';

export const TransportErrorCode = {
  /** The input (or a declared length/count inside it) exceeds the configured maximum size. */
  TOO_LARGE: 'ERR_ENVELOPE_TOO_LARGE',
  /** Containers nest deeper than the configured maximum depth. */
  TOO_DEEP: 'ERR_ENVELOPE_TOO_DEEP',
  /** A msgpack extension type (fixext/ext: timestamps, records, RegExp, Error, Set, BigInt...). */
  EXTENSION_TYPE: 'ERR_ENVELOPE_EXTENSION_TYPE',
  /** The bytes end before the value they declare. */
  TRUNCATED: 'ERR_ENVELOPE_TRUNCATED',
  /** Not well-formed msgpack, trailing bytes, or not the envelope's fixed shape. */
  MALFORMED: 'ERR_ENVELOPE_MALFORMED',
  /** The signature does not verify with the sender's key (or the key's algorithm is not allowed). */
  SIGNATURE_INVALID: 'ERR_SIGNATURE_INVALID',
  /** No verification key is known for the envelope's `from`. */
  UNKNOWN_SENDER: 'ERR_UNKNOWN_SENDER',
  /** No schema is registered for the envelope's `kind`. */
  UNKNOWN_KIND: 'ERR_UNKNOWN_KIND',
  /** A `seq` at or below one already accepted from that sender, with a different message. */
  REPLAY: 'ERR_REPLAY',
  /** A key of an algorithm outside the allow-list, or a malformed serialised key. */
  KEY_UNSUPPORTED: 'ERR_KEY_UNSUPPORTED',
  /** A request got no reply in time, after all retries. */
  TIMEOUT: 'ERR_TIMEOUT',
  /** The connection to the server is down (a retry may succeed after reconnection). */
  DISCONNECTED: 'ERR_TRANSPORT_DISCONNECTED',
  /** The transport has been closed. */
  CLOSED: 'ERR_TRANSPORT_CLOSED',
  /** Nobody is subscribed to a request's subject (memory transport / NATS no responders). */
  NO_RESPONDERS: 'ERR_NO_RESPONDERS',
  /** A journal file's hash chain or framing is broken: tampering or corruption. */
  JOURNAL_CORRUPT: 'ERR_JOURNAL_CORRUPT',
} as const satisfies Record<string, ErrorCode>;

export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode];

export class TransportError extends VcError {
  constructor(
    code: TransportErrorCode,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(code, message, options);
  }
}
