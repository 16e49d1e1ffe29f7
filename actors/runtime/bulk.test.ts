// The bulk inbox (bulk.ts): bytes count only when a signed message names their digest and size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { subjectsFor } from '../../protocol/index.js';
import { MemoryTransport } from '../../transport/index.js';
import { BulkInbox, publishBulk } from './bulk.js';

/** The default namespace's subjects. */
const S = subjectsFor();

const C = 'c1';
const limits = { maxBytes: 1024, waitMs: 50 };

test('the named chunk is taken even after stray bytes on its subject; others are refused or missing', async () => {
  const bus = new MemoryTransport();
  const inbox = new BulkInbox(bus, C, 'upload', '*', limits);
  try {
    const real = Uint8Array.of(1, 2, 3);
    bus.publish(S.bulk(C, 'upload', 'u1', 0), Uint8Array.of(9, 9, 9));
    const ref = publishBulk(bus, C, 'upload', 'u1', 0, real);
    assert.equal(ref.digest, createHash('sha256').update(real).digest('hex'));
    assert.deepEqual(await inbox.take(ref, 0), real);
    // taken once: the same chunk again is missing
    await assert.rejects(inbox.take(ref, 0), { code: 'ERR_BULK_MISSING' });
    // only other bytes there: refused
    bus.publish(S.bulk(C, 'upload', 'u1', 1), Uint8Array.of(7));
    await assert.rejects(inbox.take({ ...ref }, 1), { code: 'ERR_BULK_MISMATCH' });
    // bytes arriving while a take waits are taken
    const waiting = inbox.take(ref, 2);
    publishBulk(bus, C, 'upload', 'u1', 2, real);
    assert.deepEqual(await waiting, real);
    // result chunks are not heard by an upload inbox
    publishBulk(bus, C, 'result', 'u1', 3, real);
    await assert.rejects(inbox.take(ref, 3), { code: 'ERR_BULK_MISSING' });
  } finally {
    inbox.close();
  }
});

test('unclaimed bytes are bounded: the oldest are dropped', async () => {
  const bus = new MemoryTransport();
  const inbox = new BulkInbox(bus, C, 'upload', '*', limits);
  try {
    const first = publishBulk(bus, C, 'upload', 'u1', 0, new Uint8Array(600));
    const second = publishBulk(bus, C, 'upload', 'u1', 1, new Uint8Array(600).fill(1));
    await assert.rejects(inbox.take(first, 0), { code: 'ERR_BULK_MISSING' });
    assert.equal((await inbox.take(second, 1)).length, 600);
  } finally {
    inbox.close();
  }
});
