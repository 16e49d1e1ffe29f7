// One recorded bus message, the same type from the file journal and from JetStream, so replay does
// not care where the recording came from.
import { readEnvelopeHeaderUnverified, type EnvelopeHeader } from '../envelope.js';
import { computationOfSubject } from '../../protocol/index.js';

export interface JournalRecord {
  /** 1-based position in the journal (the JetStream stream sequence on NATS). */
  readonly seq: number;
  /** When it was recorded, ms since the Unix epoch. */
  readonly time: number;
  readonly subject: string;
  readonly data: Uint8Array;
  /**
   * The envelope header, UNVERIFIED (for listing and filtering); undefined when the payload is
   * not an envelope (e.g. a trace). Whoever acts on a record opens it with openEnvelope.
   */
  readonly header: EnvelopeHeader | undefined;
}

export interface JournalFilter {
  /** Only records of this computation (by subject `<ns>.c.<id>.…` or by envelope header). */
  readonly computation?: string;
}

export interface JournalReader {
  /** The records in journal order. */
  records(filter?: JournalFilter): AsyncIterable<JournalRecord>;
}

export function makeRecord(
  seq: number,
  time: number,
  subject: string,
  data: Uint8Array,
): JournalRecord {
  let header: EnvelopeHeader | undefined;
  try {
    header = readEnvelopeHeaderUnverified(data);
  } catch {
    header = undefined;
  }
  return { seq, time, subject, data, header };
}

export function matches(record: JournalRecord, filter: JournalFilter | undefined): boolean {
  if (filter?.computation === undefined) return true;
  return (
    computationOfSubject(record.subject) === filter.computation ||
    record.header?.computation === filter.computation
  );
}
