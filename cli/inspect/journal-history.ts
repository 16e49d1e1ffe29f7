// What `vc inspect` shows first: the journal that JetStream already holds, so opening the page
// after a run still shows it. The live part follows (actors' watchLive takes it as its history).
import { JetStreamJournalReader, type NatsTransport } from '../../transport/index.js';
import type { RunRecord } from '../../actors/index.js';

/** What the journal held before: records in journal order (none when it is undefined). */
type JournalHistory = () => AsyncIterable<RunRecord>;

/** The history a JetStream journal stream holds (default: the namespace's, VC_JOURNAL). */
export function jetStreamHistory(
  bus: NatsTransport,
  stream = bus.subjects.journalStream,
): JournalHistory {
  return () => new JetStreamJournalReader(bus.connection, stream).records();
}
