// The public face of actors/: what other folders may import from it (docs/architecture.md).
export { Uploads } from './enclave-worker/enclave-uploads.js';
export { defaultMaxEnclaves, startHost } from './host/host-actor.js';
export { processSpawner, spareWorkers } from './host/spawners.js';
export { launchComputation } from './participant/launcher.js';
export { ComputationRegistry, openNatsRegistry } from './registry/computation-registry.js';
export type { ComputationView } from './registry/computation-registry.js';
export { stopComputation } from './registry/stop-computation.js';
export { runParticipant } from './participant/participant-actor.js';
export { runParty } from './participant/run-computation.js';
export {
  computationsOf,
  readComputation,
  readRuns,
  runOf,
  RunDecoder,
  wasLaunched,
} from './replay/journal-runs.js';
export type {
  Lane,
  MessageEvent,
  RunEvent,
  RunJournal,
  RunRecord,
  TransitionEvent,
} from './replay/journal-runs.js';
export { watchLive } from './replay/live-watch.js';
export { replayTraces } from './replay/replay.js';
export {
  eventJson,
  formatTimeline,
  replayReport,
  runStart,
  selectEvents,
} from './replay/timeline.js';
export type { Bound, EventFilter } from './replay/timeline.js';
export { diffRuns, formatDiff } from './replay/diff.js';
export { Endpoint } from './runtime/endpoint.js';
export { EnclaveChannels, ParticipantChannel } from './runtime/session-channel.js';
export { LOG_FORMATS, LOG_LEVELS, createOperatorLog } from './runtime/log.js';
export type { LogFormat, LogLevel, OperatorLog } from './runtime/log.js';
export {
  operatorSigner,
  participantSigner,
  parseLauncherKeys,
} from './runtime/launch-authority.js';
export type { Signer } from './runtime/endpoint.js';
export { VERIFIER_SENDER_ID } from './runtime/policy-keys.js';
export { inWindow } from './runtime/window.js';
export { certificateSenderId, keySenderId } from './runtime/sender-ids.js';
export { resultBulkStream } from './runtime/bulk.js';
export { memoryBus, natsBus } from './system/system-bus.js';
export { startSystem } from './system/system.js';
export type { System } from './system/system.js';
export { startVerifierService } from './verifier/verifier-actor.js';
