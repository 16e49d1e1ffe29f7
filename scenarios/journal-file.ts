// Writes a recorded run (every message on `vc.>`, in order) as a protocol journal file in the
// transport's format (transport/journal/file-journal.ts: hash-chained records), which
// `vc replay FILE` reads. A file that exists already is replaced: one run, one journal.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileJournal } from '../transport/index.js';

export interface JournalLine {
  readonly subject: string;
  readonly data: Uint8Array;
  /** When it was seen (ms since the epoch); default: when written. */
  readonly time?: number;
}

/** Writes the journal; returns its head hash (hex) to anchor it. */
export function writeJournalFile(file: string, entries: readonly JournalLine[]): string {
  mkdirSync(dirname(file), { recursive: true });
  rmSync(file, { force: true });
  let at = 0;
  const journal = FileJournal.open(file, { now: () => entries[at]?.time ?? Date.now() });
  try {
    for (; at < entries.length; at++) journal.append(entries[at]!.subject, entries[at]!.data);
    return journal.head;
  } finally {
    journal.close();
  }
}

/** Writes a system's recorded run to `file` (if one is asked for) and says how to replay it. */
export async function journalToFile(
  file: string | undefined,
  entries: () => Promise<readonly JournalLine[]>,
  computation: string,
): Promise<{ location: string; replayCommand: string } | undefined> {
  if (!file) return undefined;
  writeJournalFile(file, await entries());
  return { location: file, replayCommand: `npx vc replay ${file} --computation ${computation}` };
}
