// The public face of transport/: what other folders may import from it (docs/architecture.md).
export {
  channelEnvelopeSchema,
  envelopeSchema,
  signedPart,
  writeSigned,
  writeUnsigned,
} from './envelope-layout.js';
export {
  CHANNEL_ID_BYTES,
  macEnvelope,
  openEnvelope,
  readEnvelopeHeaderUnverified,
  signEnvelope,
} from './envelope.js';
export type { EnvelopeHeader, KeyLookup, MacKeyLookup, OpenedEnvelope } from './envelope.js';
export { IdempotencyCache } from './idempotency.js';
export { FileJournal, FileJournalReader, parseJournal } from './journal/file-journal.js';
export { JetStreamJournalReader, ensureJournalStream } from './journal/jetstream-journal.js';
export { makeRecord, matches } from './journal/record.js';
export type { JournalReader, JournalRecord } from './journal/record.js';
export { protocolKinds } from './kinds.js';
export { MemoryTransport } from './memory-transport.js';
export { scanMsgpack } from './msgpack-scan.js';
export { LocalNatsServer, freePort, natsServerBinary, startNatsServer } from './nats-server.js';
export type { NatsServer } from './nats-server.js';
export { NatsTransport } from './nats-transport.js';
export { natsAccountsConfig } from './nats-permissions.js';
export type { NatsRole, NatsUser } from './nats-permissions.js';
export {
  NATS_SETTINGS_ENV,
  settingsFromEnv,
  settingsToEnv,
  shownServers,
} from './nats-settings.js';
export type { NatsAuth, NatsConnectionSettings, NatsTls } from './nats-settings.js';
export {
  isInterrupting,
  onInterruptCleanup,
  privateDir,
  privateTempDir,
  runInterruptCleanups,
} from './private-dir.js';
export { decodePlain, encodePlain } from './plain-msgpack.js';
export {
  UPLOAD_CHUNK_BYTES,
  StreamOpener,
  channelSecretsFrom,
  channelSecretsTo,
  StreamSealer,
  chunkCount,
  ephemeralKeyPair,
  infoOf,
  joinChunks,
  openSealed,
  sealStream,
  sealTo,
} from './sealing.js';
export type { ChannelSecrets, SealContext, SealedPart } from './sealing.js';
export { Transcript } from './transcript.js';
export { serveEnvelopes } from './serve.js';
export { FileStore } from './store/file-store.js';
export { KvStore } from './store/kv-store.js';
export { MemoryStore } from './store/memory-store.js';
export { fromJsonBytes, jsonBytes } from './store/state-store.js';
export type { StateStore } from './store/state-store.js';
export type { ServedSubscription } from './serve.js';
export {
  exportVerifyKey,
  generateSigningKeyPair,
  importVerifyKey,
  signBytes,
  verifyBytes,
} from './signing-keys.js';
export type { SignatureAlgorithm } from './signing-keys.js';
export type { Transport } from './transport.js';
