// Spare enclave worker processes (issue 17, fast starts): each host on NATS keeps a worker process
// started ahead of launches (actors/host/spawners.ts). A launch is handed to the waiting spare (its
// process was started before the launch), every launch gets a fresh process, a spare that died is
// replaced and never handed a launch, a launch no spare fits (another heap cap) starts its own
// process, and stopping the host leaves no process behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { natsBus, spareWorkers, startSystem, type System } from '../actors/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { isolateTmpdir, watchLeftovers, type LeftoverWatch } from '../test-support/leftovers.js';
import { natsServerBinary, startNatsServer, type NatsServer } from '../transport/index.js';
import { identities, policyFor, wasmOf } from './testing/index.js';

isolateTmpdir();
const available = hasBinary(natsServerBinary);
let watch: LeftoverWatch | undefined;
let server: NatsServer | undefined;
let system: System | undefined;
const launches: { worker: string; spare: boolean }[] = [];

before(async () => {
  if (!available) return;
  server = await startNatsServer();
  watch = watchLeftovers(); // what the system starts, the server aside
  system = await startSystem({
    bus: await natsBus({ servers: server.url, journal: { kind: 'recorder' } }),
    workers: 'process',
    onWorkerLaunch: (event) => launches.push(event),
  });
});
after(async () => {
  await system?.stop();
  await server?.stop();
});

/** Launches a small computation until its enclave is ready; returns how its host started it. */
async function launch(maxMemoryMib?: number): Promise<{ worker: string; spare: boolean }> {
  const [owner] = await identities(1, 'spare');
  const policy = policyFor(system!, {
    participants: [{ identity: owner!, capabilities: ['/program/:wx', '/output/:r'] }],
    programs: [
      {
        path: '/program/linear-regression.wasm',
        bytes: wasmOf('linear-regression'),
        capabilities: ['/input/:r', '/output/:w'],
      },
    ],
    ...(maxMemoryMib === undefined ? {} : { maxMemoryMib }),
  });
  const before = launches.length;
  await system!.launch(policy, { verify: false });
  assert.equal(launches.length, before + 1);
  return launches.at(-1)!;
}

/** Waits until this process's spawners hold a waiting spare; returns its pid. */
async function waitingSpare(): Promise<number> {
  for (let i = 0; i < 600; i++) {
    const [pid] = spareWorkers().keys();
    if (pid !== undefined) return pid;
    await sleep(50);
  }
  throw new Error('no spare worker process started');
}

const pidOf = (worker: string): number => Number(worker.replace(/^pid-/, ''));

test('a launch is handed to the spare started before it; the next launch gets a fresh process', async (t) => {
  if (!requireResource(t, 'nats-server binary', available)) return;
  const spare = await waitingSpare();
  // It loads, connects, measures its runtime and makes its keys, then says it is ready.
  while (spareWorkers().get(spare) !== true) await sleep(50);
  const first = await launch();
  assert.equal(first.spare, true);
  assert.equal(pidOf(first.worker), spare, 'the worker is the process started ahead');
  assert.equal(launches.length, 1);
  assert.ok(!spareWorkers().has(spare), 'a spare handed a launch is no longer waiting');
  const next = await waitingSpare();
  assert.notEqual(next, spare, 'a new spare replaces the one used');
  const second = await launch();
  assert.equal(second.spare, true);
  assert.equal(pidOf(second.worker), next);
  assert.notEqual(second.worker, first.worker, 'never the same process twice');
});

test('a spare that died is replaced, never handed a launch', async (t) => {
  if (!requireResource(t, 'nats-server binary', available)) return;
  const spare = await waitingSpare();
  process.kill(spare, 'SIGKILL'); // a spare this test's system started
  const launched = await launch();
  assert.notEqual(pidOf(launched.worker), spare);
  const replacement = await waitingSpare();
  assert.notEqual(replacement, spare);
});

test('a launch with another heap cap than the spare starts its own process; the next spare has its cap', async (t) => {
  if (!requireResource(t, 'nats-server binary', available)) return;
  const spare = await waitingSpare();
  const launched = await launch(64);
  assert.equal(launched.spare, false);
  assert.notEqual(pidOf(launched.worker), spare);
  let next = await waitingSpare();
  while (next === spare) {
    await sleep(50); // the spare of the previous cap is ending
    next = await waitingSpare();
  }
  const again = await launch(64);
  assert.equal(again.spare, true);
  assert.equal(pidOf(again.worker), next);
});

test('stopping the host ends its spare: no process or folder is left', async (t) => {
  if (!requireResource(t, 'nats-server binary', available)) return;
  await waitingSpare();
  await system!.stop();
  system = undefined;
  assert.equal(spareWorkers().size, 0);
  assert.deepEqual(await watch!.settle(), [], 'nothing is left behind');
});
