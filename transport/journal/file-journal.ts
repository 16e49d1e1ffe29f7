// The embedded mode's journal: an append-only file of length-prefixed records chained by SHA-256,
// so that changing, removing, inserting or reordering a record is detected on reading.
//
//   file    = magic "VCJRNL01" || record*
//   record  = u32be length || body || hash          (length = byte length of body)
//   body    = msgpack fixarray(4) [ seq uint, time uint, subject str, data bin ]
//   hash_i  = SHA-256( hash_{i-1} || u32be length || body ),  hash_0 = SHA-256("vc-journal-v1")
//
// The chain proves integrity relative to its head (`head`): anchor the head elsewhere (print it,
// publish it) to make rewriting the whole tail detectable as well.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { TransportError } from '../errors.js';
import { MsgpackWriter } from '../msgpack-write.js';
import { decodePlain } from '../plain-msgpack.js';
import { type Subjects, subjectsFor } from '../../protocol/index.js';
import type { PublishTap } from '../memory-transport.js';
import {
  makeRecord,
  matches,
  type JournalFilter,
  type JournalReader,
  type JournalRecord,
} from './record.js';

export const journalMagic = new TextEncoder().encode('VCJRNL01');
const genesis = createHash('sha256').update('vc-journal-v1').digest();
const maxRecordBytes = 64 * 1024 * 1024;

function corrupt(message: string, details: Record<string, unknown>): TransportError {
  return new TransportError('ERR_JOURNAL_CORRUPT', message, { details });
}

function chain(prev: Uint8Array, frame: Uint8Array): Buffer {
  return createHash('sha256').update(prev).update(frame).digest();
}

/** Parses and checks a whole journal file image; returns the records and the head hash. */
export function parseJournal(bytes: Uint8Array): { records: JournalRecord[]; head: Uint8Array } {
  if (bytes.length < journalMagic.length || !journalMagic.every((b, i) => bytes[i] === b)) {
    throw corrupt('not a journal file (bad magic)', {});
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: JournalRecord[] = [];
  let head: Uint8Array = genesis;
  let at = journalMagic.length;
  while (at < bytes.length) {
    const index = records.length + 1;
    if (at + 4 > bytes.length) throw corrupt('truncated record header', { record: index });
    const length = view.getUint32(at);
    if (length > maxRecordBytes || at + 4 + length + 32 > bytes.length)
      throw corrupt('truncated record', { record: index });
    const frame = bytes.subarray(at, at + 4 + length);
    const expected = chain(head, frame);
    if (!expected.equals(bytes.subarray(at + 4 + length, at + 4 + length + 32)))
      throw corrupt('hash chain broken', { record: index });
    records.push(parseBody(frame.subarray(4), index));
    head = expected;
    at += 4 + length + 32;
  }
  return { records, head };
}

function parseBody(body: Uint8Array, index: number): JournalRecord {
  let value: unknown;
  try {
    value = decodePlain(body, { maxBytes: maxRecordBytes, maxDepth: 1 });
  } catch {
    throw corrupt('record body is not valid', { record: index });
  }
  const [seq, time, subject, data] = Array.isArray(value) ? value : [];
  if (
    seq !== index ||
    typeof time !== 'number' ||
    typeof subject !== 'string' ||
    !(data instanceof Uint8Array)
  ) {
    throw corrupt('record body has the wrong shape or sequence', { record: index });
  }
  return makeRecord(seq, time, subject, data);
}

export interface FileJournalOptions {
  /** Injected clock (ms since epoch) for record times. */
  readonly now?: () => number;
}

/** Appends records to a journal file (created when missing; an existing one is verified first). */
export class FileJournal {
  readonly path: string;
  readonly #fd: number;
  readonly #now: () => number;
  #head: Uint8Array;
  #seq: number;

  private constructor(path: string, fd: number, head: Uint8Array, seq: number, now: () => number) {
    this.path = path;
    this.#fd = fd;
    this.#head = head;
    this.#seq = seq;
    this.#now = now;
  }

  static open(path: string, options: FileJournalOptions = {}): FileJournal {
    const now = options.now ?? Date.now;
    if (existsSync(path)) {
      const { records, head } = parseJournal(readFileSync(path));
      return new FileJournal(path, openSync(path, 'a'), head, records.length, now);
    }
    const fd = openSync(path, 'a');
    if (fstatSync(fd).size === 0) writeSync(fd, journalMagic);
    return new FileJournal(path, fd, genesis, 0, now);
  }

  /** Hex SHA-256 of the last record's chain hash: anchor it to detect a rewritten tail. */
  get head(): string {
    return Buffer.from(this.#head).toString('hex');
  }

  get length(): number {
    return this.#seq;
  }

  append(subject: string, data: Uint8Array): JournalRecord {
    const seq = this.#seq + 1;
    const time = this.#now();
    const w = new MsgpackWriter();
    w.arrayHeader(4);
    w.uint(seq);
    w.uint(time);
    w.str(subject);
    w.bin(data);
    const body = w.concat();
    const frame = new Uint8Array(4 + body.length);
    new DataView(frame.buffer).setUint32(0, body.length);
    frame.set(body, 4);
    const hash = chain(this.#head, frame);
    writeSync(this.#fd, Buffer.concat([frame, hash])); // one write per record
    this.#head = hash;
    this.#seq = seq;
    return makeRecord(seq, time, subject, data);
  }

  /** A MemoryTransport tap recording every journaled message of a namespace (default `vc`). */
  tap(subjects: Subjects = subjectsFor()): PublishTap {
    return (subject, data) => {
      if (subjects.isJournaled(subject)) this.append(subject, data);
    };
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** Reads (and verifies) a journal file. */
export class FileJournalReader implements JournalReader {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }

  async *records(filter?: JournalFilter): AsyncIterable<JournalRecord> {
    const { records } = parseJournal(readFileSync(this.path));
    for (const record of records) if (matches(record, filter)) yield record;
  }
}
