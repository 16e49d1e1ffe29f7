// The live watch with a history (as `vc inspect` uses it) on the in-memory bus: the history goes
// first, a message that arrives while
// the history is read and is in it is shown once (a retried one, same bytes twice, still twice),
// and a history that cannot be read leaves the live part working. A record the decoder fails on is
// said (ERR_INTERNAL), never dropped in silence; with the real decoder, a record added to a session
// channel under a seq nobody sends costs the channel's receipt nothing but its verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VcError } from '../../protocol/index.js';
import { MemoryTransport, decodePlain, encodePlain, parseJournal } from '../../transport/index.js';
import { readRuns, type RunDecoder, type RunEvent, type RunRecord } from './journal-runs.js';
import { watchLive } from './live-watch.js';

/** A decoder that only records what it is fed, and makes an event of each record. */
function recordingDecoder(): { decoder: RunDecoder; fed: RunRecord[] } {
  const fed: RunRecord[] = [];
  const decoder = {
    add: (record: RunRecord) => {
      fed.push(record);
      return Promise.resolve([{ seq: record.seq } as RunEvent]);
    },
  } as unknown as RunDecoder;
  return { decoder, fed };
}

const bytes = (n: number): Uint8Array => Uint8Array.of(n);
const record = (seq: number, n: number): RunRecord => ({
  seq,
  time: 1000 + seq,
  subject: 'vc.c.pabc.events',
  data: bytes(n),
});

test('live watch: the history first, then live messages, each one once', async () => {
  const bus = new MemoryTransport();
  const { decoder, fed } = recordingDecoder();
  const events: number[] = [];
  async function* history(): AsyncIterable<RunRecord> {
    yield record(7, 1);
    // While the history is read: a copy of its next record (twice: a retry), and a new one.
    bus.publish('vc.c.pabc.events', bytes(2));
    bus.publish('vc.c.pabc.events', bytes(2));
    bus.publish('vc.inbox.xyz', bytes(3));
    await bus.flush();
    yield record(8, 2);
  }
  const feed = await watchLive(bus, { decoder, onEvent: (e) => events.push(e.seq), history });
  bus.publish('vc.hosts.launch', bytes(4));
  bus.publish('vc.live.hosts', bytes(9)); // not journaled: not followed
  await bus.flush();
  await feed.settle();
  feed.stop();
  assert.equal(feed.history, 2);
  assert.equal(feed.historyNote, undefined);
  assert.deepEqual(
    fed.map((r) => [r.seq, r.data[0], r.subject]),
    [
      [7, 1, 'vc.c.pabc.events'],
      [8, 2, 'vc.c.pabc.events'],
      [9, 2, 'vc.c.pabc.events'],
      [10, 3, 'vc.inbox.xyz'],
      [11, 4, 'vc.hosts.launch'],
    ],
  );
  assert.deepEqual(events, [7, 8, 9, 10, 11]);
  assert.deepEqual(
    fed.slice(0, 2).map((r) => r.time),
    [1007, 1008],
    'history keeps its journal times',
  );
});

test('live watch: a history that cannot be read says why, and the live part still works', async () => {
  for (const [failure, note] of [
    [new VcError('ERR_NO_JETSTREAM', 'no JetStream here'), 'no JetStream here'],
    [new Error('stream not found'), 'no journal stream yet'],
  ] as const) {
    const bus = new MemoryTransport();
    const { decoder, fed } = recordingDecoder();
    async function* history(): AsyncIterable<RunRecord> {
      throw failure;
    }
    const feed = await watchLive(bus, { decoder, onEvent: () => undefined, history });
    bus.publish('vc.verifier', bytes(5));
    await bus.flush();
    await feed.settle();
    feed.stop();
    assert.deepEqual([feed.history, feed.historyNote], [0, note]);
    assert.deepEqual(
      fed.map((r) => [r.seq, r.data[0]]),
      [[1, 5]],
    );
  }
});

test('live watch: a record the decoder fails on is ERR_INTERNAL naming it (onError, else settle), and the next ones still come', async () => {
  for (const withOnError of [true, false]) {
    const bus = new MemoryTransport();
    const fed: number[] = [];
    const decoder = {
      add: (r: RunRecord) => {
        fed.push(r.data[0]!);
        return r.data[0] === 2
          ? Promise.reject(new RangeError('a decoder bug'))
          : Promise.resolve([{ seq: r.seq } as RunEvent]);
      },
    } as unknown as RunDecoder;
    const events: number[] = [];
    const errors: VcError[] = [];
    const feed = await watchLive(bus, {
      decoder,
      onEvent: (e) => events.push(e.seq),
      ...(withOnError ? { onError: (error: VcError) => errors.push(error) } : {}),
    });
    for (const n of [1, 2, 3]) bus.publish('vc.c.pabc.events', bytes(n));
    await bus.flush();
    const settled = feed.settle();
    feed.stop();
    const expected = {
      code: 'ERR_INTERNAL',
      message: /the journal decoder failed on record 2 \(vc\.c\.pabc\.events\): a decoder bug/,
    };
    if (withOnError) {
      await settled;
      assert.equal(errors.length, 1);
      assert.throws(() => {
        throw errors[0];
      }, expected);
      assert.deepEqual(errors[0]!.details, { seq: 2, subject: 'vc.c.pabc.events' });
    } else await assert.rejects(settled, expected);
    assert.deepEqual(fed, [1, 2, 3]);
    assert.deepEqual(events, [1, 3], 'the records after it are decoded');
  }
});

test('live watch, real decoder: a record added to a session channel under a seq no sender uses still lets its receipt through, as a mismatch', async () => {
  // A recorded run (scenarios/histories/shamir.vcj) replayed onto the bus, with a copy of a
  // MAC-ed provision.data whose seq is 1.5 (anyone may publish bytes; nobody's transcript holds it).
  const { records } = parseJournal(
    readFileSync(new URL('../../scenarios/histories/shamir.vcj', import.meta.url)),
  );
  const at = records.findIndex(
    (r) => r.header?.kind === 'provision.data' && (decodePlain(r.data) as { v?: number }).v === 2,
  );
  assert.ok(at >= 0, 'the history has a provision.data on a session channel');
  const envelope = decodePlain(records[at]!.data) as Record<string, unknown>;
  const added = encodePlain({ ...envelope, seq: 1.5 });
  const channel = Buffer.from((envelope['sig'] as Uint8Array).subarray(0, 16)).toString('hex');
  const bus = new MemoryTransport();
  const events: RunEvent[] = [];
  const errors: VcError[] = [];
  const feed = await watchLive(bus, {
    onEvent: (e) => events.push(e),
    onError: (e) => errors.push(e),
  });
  for (const [i, r] of records.entries()) {
    bus.publish(r.subject, r.data);
    if (i === at) bus.publish(r.subject, added);
  }
  await bus.flush();
  await feed.settle();
  feed.stop();
  assert.deepEqual(errors, []);
  const messages = events.filter((e) => e.type === 'message');
  assert.equal(messages.length, (await readRuns(records))[0]!.messages.length + 1);
  // The channel's receipt is there, marked: the journal holds a message its transcript does not.
  const [run] = feed.decoder.runs();
  assert.deepEqual(run!.receiptMismatches, [channel]);
  assert.equal(
    messages.filter(
      (e) => e.kind === 'session.receipt' && e.code === 'ERR_SESSION_RECEIPT_MISMATCH',
    ).length,
    1,
  );
  assert.equal(messages.find((e) => e.size === added.length && e.seq === at + 2)?.verified, false);
});
