// The hand-over of a launch to a spare worker process (spawners.ts), with a stand-in runtime that
// follows the worker's stdin/stdout contract (actors/enclave-worker/enclave-main.ts: `ready`, then
// the launch line, then `launched`). A spare can die after the spawner chose it and before its exit
// is seen; such a launch must go to a fresh process, never to the dead one. The real runtime's side
// is covered over NATS by scenarios/spare-workers.test.ts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processSpawner, spareWorkers } from './spawners.js';

const dir = await mkdtemp(join(tmpdir(), 'vc-spawner-test-'));
after(() => rm(dir, { recursive: true, force: true }));

/**
 * A runtime that says `ready`, reads its launch line and appends it to `launches`; while the file
 * `die-on-launch` exists it deletes it and exits at once without `launched` (the spare that died at
 * the hand-over); while `hang-on-launch` exists it never answers; else it says `launched`. It
 * exits when its stdin closes.
 */
const runtime = join(dir, 'runtime.mjs');
await writeFile(
  runtime,
  `import { appendFileSync, existsSync, rmSync } from 'node:fs';
const dir = ${JSON.stringify(dir)};
process.stdout.write('ready\\n');
let text = '';
process.stdin.on('data', (chunk) => {
  text += chunk;
  if (!text.includes('\\n')) return;
  if (existsSync(dir + '/die-on-launch')) {
    rmSync(dir + '/die-on-launch');
    process.exit(3);
  }
  if (existsSync(dir + '/hang-on-launch')) return; // never answers; ends when its stdin closes
  appendFileSync(dir + '/launches', process.pid + ' ' + text);
  process.stdout.write('launched\\n');
});
process.stdin.on('end', () => process.exit(0));
`,
);
// A valid policy with the default memory cap: the spares' heap cap fits it.
const policyBytes = new Uint8Array(
  await readFile(new URL('../../scenarios/example/policy.json', import.meta.url)),
);

async function readySpare(): Promise<number> {
  for (;;) {
    const ready = [...spareWorkers()].find(([, isReady]) => isReady);
    if (ready) return ready[0];
    await sleep(20);
  }
}

function spawnerForTest() {
  const launches: { worker: string; spare: boolean }[] = [];
  const spawner = processSpawner({
    nats: { servers: ['nats://127.0.0.1:1'] }, // never used by the stand-in runtime
    simKeyFile: join(dir, 'no-key'),
    runtimeBundle: runtime,
    log: () => undefined,
    onLaunch: (event) => launches.push(event),
  });
  return { spawner, launches };
}

test('a ready spare takes the launch: it answers `launched` and serves it', async () => {
  const { spawner, launches } = spawnerForTest();
  try {
    const spare = await readySpare();
    const spawned = await spawner({ policyBytes, computation: 'c-live', platform: 'sim' });
    assert.equal(spawned.worker, `pid-${spare}`);
    assert.deepEqual(launches, [{ worker: `pid-${spare}`, spare: true }]);
    const line = (await readFile(join(dir, 'launches'), 'utf8')).trim();
    assert.match(line, new RegExp(`^${spare} \\{.*"computation":"c-live"\\}$`));
    spawned.stop();
    assert.equal(await spawned.exited, 1, 'stopped by a signal');
  } finally {
    await spawner.close?.();
    await rm(join(dir, 'launches'), { force: true });
  }
});

test('a spare that dies at the hand-over, before its exit is seen, never serves the launch: a fresh process does', async () => {
  const { spawner, launches } = spawnerForTest();
  try {
    const spare = await readySpare();
    // The chosen spare is alive when chosen, and dies on reading its launch line.
    await writeFile(join(dir, 'die-on-launch'), '');
    const spawned = await spawner({ policyBytes, computation: 'c-handover', platform: 'sim' });
    assert.notEqual(spawned.worker, `pid-${spare}`, 'the dead spare is not the worker');
    assert.deepEqual(launches, [{ worker: spawned.worker, spare: false }]);
    assert.ok(!existsSync(join(dir, 'die-on-launch')), 'the spare did die at the hand-over');
    // The fresh process received the same launch line.
    for (let i = 0; i < 200 && !existsSync(join(dir, 'launches')); i++) await sleep(20);
    const line = (await readFile(join(dir, 'launches'), 'utf8')).trim();
    assert.match(
      line,
      new RegExp(`^${spawned.worker.slice(4)} \\{.*"computation":"c-handover"\\}$`),
    );
    spawned.stop();
    await spawned.exited;
  } finally {
    await spawner.close?.();
    await rm(join(dir, 'launches'), { force: true });
  }
});

test('a host stopping while a spare has not yet taken its launch ends that spare and starts no other', async () => {
  const { spawner, launches } = spawnerForTest();
  await writeFile(join(dir, 'hang-on-launch'), '');
  try {
    const spare = await readySpare();
    const pending = spawner({ policyBytes, computation: 'c-closing', platform: 'sim' });
    const outcome = pending.then(
      () => undefined,
      (error: unknown) => error,
    );
    // The spare was chosen (it is no longer waiting) and has not taken the launch.
    while (spareWorkers().has(spare)) await sleep(20);
    await spawner.close?.();
    const error = (await outcome) as { code?: string } | undefined;
    assert.equal(error?.code, 'ERR_LAUNCH_FAILED');
    assert.deepEqual(launches, [], 'no process was handed the launch');
    assert.throws(() => process.kill(spare, 0), 'the spare ended with the host');
    assert.equal(spareWorkers().size, 0);
  } finally {
    await rm(join(dir, 'hang-on-launch'), { force: true });
  }
});
