// Veracruz's integration cases and refusals over NATS (scenarios/testing/veracruz-cases.ts): a
// private nats-server with JetStream, the verifier and hosts in this process, each enclave worker a
// separate OS process; then every computation's JetStream journal is replayed and must reproduce
// each actor's timeline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readComputation, replayTraces } from '../actors/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { isolateTmpdir, watchLeftovers } from '../test-support/leftovers.js';
import {
  JetStreamJournalReader,
  type JournalRecord,
  natsServerBinary,
  startNatsServer,
  type NatsServer,
  NatsTransport,
} from '../transport/index.js';
import { findScenario } from './catalog.js';
import { prepareRun } from './prepare.js';
import { runScenario } from './run-scenario.js';
import type { Environment } from './run/environment.js';
import { natsEnvironment } from './run/nats.js';
import {
  actingRun,
  refusalCases,
  VERACRUZ_CATALOG_CASES,
  veracruzCases,
} from './testing/veracruz-cases.js';
import type { Scenario } from './scenario.js';

isolateTmpdir();
const available = hasBinary(natsServerBinary);
let server: NatsServer | undefined;
let env: Environment | undefined;
let reader: NatsTransport | undefined;

before(async () => {
  if (!available) return;
  server = await startNatsServer();
  env = await natsEnvironment({ url: server.url, workers: 'process', jetstreamReplicas: 1 });
  reader = await NatsTransport.connect({ servers: server.url, name: 'vc-test-journal' });
});
after(async () => {
  await reader?.close();
  await env?.stop();
  await server?.stop();
});

/** The computation's JetStream journal replays with no divergence and holds the enclave's run. */
async function assertReplays(computation: string): Promise<void> {
  const records: JournalRecord[] = [];
  for await (const r of new JetStreamJournalReader(reader!.connection).records({ computation }))
    records.push(r);
  const replays = replayTraces((await readComputation(records, computation)).traces);
  assert.ok(replays.some((r) => r.machine === 'enclave'));
  for (const replay of replays)
    assert.equal(
      replay.divergence,
      undefined,
      `${replay.actor}: ${JSON.stringify(replay.divergence)}`,
    );
}

const computations: Scenario[] = [
  ...veracruzCases,
  ...VERACRUZ_CATALOG_CASES.map((name) => findScenario(name)!),
];

for (const scenario of computations) {
  test(`nats: ${scenario.name}`, async (t) => {
    if (!requireResource(t, 'nats-server binary', available)) return;
    const watch = watchLeftovers();
    const run = await prepareRun(scenario, env!.trust, { seed: 4 });
    const report = await runScenario(run, env!);
    assert.equal(report.failure, undefined, JSON.stringify(report.failure));
    assert.equal(report.ok, true, report.verdict.details.join('\n'));
    await assertReplays(run.computation);
    // The computation shut down: its enclave worker process exited and took its policy folder.
    assert.deepEqual(await watch.settle(), [], 'nothing is left behind');
  });
}

// A refused participant would leave its computation running (the others may still use it); the
// scenario runner ends a run that stopped early (`vc computations stop`), so nothing is left here
// either.
for (const refusal of refusalCases) {
  test(`nats: ${refusal.scenario.name}`, async (t) => {
    if (!requireResource(t, 'nats-server binary', available)) return;
    const watch = watchLeftovers();
    const run = await actingRun(await prepareRun(refusal.scenario, env!.trust), refusal);
    const report = await runScenario(run, env!);
    const outcome = report.rounds[0]?.outcomes[0];
    assert.equal(outcome?.state, 'failed', JSON.stringify(report.failure));
    assert.equal(outcome.failure?.code, refusal.code);
    await assertReplays(run.computation);
    assert.deepEqual(await watch.settle(), [], 'the stopped computation left nothing behind');
  });
}
