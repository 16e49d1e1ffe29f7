// The live watch with a history (as `vc inspect` uses it) on the in-memory bus: the history goes
// first, a message that arrives while
// the history is read and is in it is shown once (a retried one, same bytes twice, still twice),
// and a history that cannot be read leaves the live part working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VcError } from '../../protocol/index.js';
import { MemoryTransport } from '../../transport/index.js';
import type { RunDecoder, RunEvent, RunRecord } from './journal-runs.js';
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
