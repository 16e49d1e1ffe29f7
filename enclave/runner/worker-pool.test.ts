import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { WorkerPool, shutdownWorkers } from './worker-pool.js';

test('a pool never hands out a worker twice, with or without a spare ready', async () => {
  const pool = new WorkerPool('core-module');
  try {
    await pool.prewarm();
    const threads = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const worker = await pool.take();
      threads.add(worker.threadId);
      await worker.terminate();
      await tick(); // its exit starts the next spare
    }
    const a = await pool.take(); // the spare
    const b = await pool.take(); // none ready: a fresh one
    threads.add(a.threadId).add(b.threadId);
    await Promise.all([a.terminate(), b.terminate()]);
    assert.equal(threads.size, 5);
  } finally {
    await shutdownWorkers();
  }
});
