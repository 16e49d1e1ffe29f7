import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { inWindow } from './window.js';

const refusal = { code: 'ERR_ACCESS_DENIED' as const, message: 'no' };

test('inWindow keeps 8 calls in flight and takes every item once', async () => {
  let inFlight = 0;
  let most = 0;
  const seen: number[] = [];
  const refused = await inWindow(
    Array.from({ length: 50 }, (_, i) => i),
    async (i) => {
      most = Math.max(most, ++inFlight);
      await tick();
      seen.push(i);
      inFlight--;
      return undefined;
    },
  );
  assert.equal(refused, undefined);
  assert.equal(most, 8);
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
  );
});

test('inWindow stops at the first refusal and returns it once the calls in flight ended', async () => {
  const sent: number[] = [];
  let ended = 0;
  const refused = await inWindow(
    Array.from({ length: 50 }, (_, i) => i),
    async (i) => {
      sent.push(i);
      await tick();
      ended++;
      return i === 3 ? refusal : undefined;
    },
  );
  assert.deepEqual(refused, refusal);
  assert.ok(sent.length < 50, `sent ${sent.length}`);
  assert.equal(ended, sent.length); // nothing left in flight
});

test('inWindow rethrows a lost reply after stopping the window', async () => {
  const sent: number[] = [];
  await assert.rejects(
    inWindow(
      Array.from({ length: 50 }, (_, i) => i),
      async (i) => {
        sent.push(i);
        await tick();
        if (i === 2) throw new Error('lost');
        return undefined;
      },
    ),
    /lost/,
  );
  assert.ok(sent.length < 50);
});
