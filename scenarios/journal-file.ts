// Writes an in-memory protocol journal (the embedded system's record of every message on `vc.>`)
// to a file: one JSON line per message, `{index, subject, data}` with the envelope bytes in base64.
// Adapter until transport/journal/ offers a file format of its own; `vc replay` reads the file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface JournalLine {
  readonly index: number;
  readonly subject: string;
  readonly data: Uint8Array;
}

export function writeJournalFile(file: string, entries: readonly JournalLine[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const lines = entries.map((e) =>
    JSON.stringify({
      index: e.index,
      subject: e.subject,
      data: Buffer.from(e.data).toString('base64'),
    }),
  );
  writeFileSync(file, lines.join('\n') + (lines.length > 0 ? '\n' : ''));
}
