// The public face of transport/: import from here (`../transport/mod.js`). Files behind it are
// implementation details and may move.
export { TransportError } from './errors.js';
export type { DecodeLimits } from './msgpack-scan.js';
export { decodePlain, encodePlain, defaultLimits } from './plain-msgpack.js';
export {
  defineKind,
  KindRegistry,
  kindPattern,
  protocolKinds,
  type MessageKind,
  type Validator,
} from './kinds.js';
export {
  signEnvelope,
  openEnvelope,
  bodyOf,
  readEnvelopeHeaderUnverified,
  type Envelope,
  type EnvelopeHeader,
  type OpenedEnvelope,
  type OpenOptions,
  type KeyLookup,
} from './envelope.js';
export { computationPattern, senderPattern } from './envelope-layout.js';
export {
  generateSigningKeyPair,
  importSigningKey,
  importVerifyKey,
  exportVerifyKey,
  signatureAlgorithmOf,
  signBytes,
  verifyBytes,
  type CryptoKey,
  type SignatureAlgorithm,
} from './signing-keys.js';
export {
  sealTo,
  openSealed,
  sealUpload,
  ephemeralKeyPair,
  infoOf,
  UPLOAD_CHUNK_BYTES,
  type SealContext,
  type SealedPart,
} from './sealing.js';
export type {
  Transport,
  Msg,
  MsgHandler,
  Subscription,
  SubscribeOptions,
  RequestOptions,
  RetryPolicy,
  TransportStatus,
} from './transport.js';
export {
  MemoryTransport,
  type MemoryTransportOptions,
  type PublishTap,
} from './memory-transport.js';
export { NatsTransport, type NatsTransportOptions } from './nats-transport.js';
export { IdempotencyCache, SeqCounter, type IdempotencyOptions } from './idempotency.js';
export { serveEnvelopes, type ServeOptions } from './serve.js';
export { isRetryable, withRetry } from './retry.js';
export type { JournalRecord, JournalReader, JournalFilter } from './journal/record.js';
export {
  FileJournal,
  FileJournalReader,
  parseJournal,
  type FileJournalOptions,
} from './journal/file-journal.js';
export {
  ensureJournalStream,
  JetStreamJournalReader,
  defaultJournalStream,
  type JetStreamJournalOptions,
} from './journal/jetstream-journal.js';
