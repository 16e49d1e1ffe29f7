// The same scenarios over NATS: a private nats-server with JetStream, the verifier and a host in
// this process, each enclave worker a separate OS process; then every computation's JetStream
// journal is replayed and must reproduce each actor's timeline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { natsServerBinary, startNatsServer, type NatsServer } from '../transport/nats-server.js';
import { readComputation } from './journal-replay.js';
import { startNatsSystem, type NatsSystem } from './nats-system.js';
import { allScenarios } from './protocol-scenarios.js';
import { replayTraces } from './replay.js';
import type { ScenarioSystem } from './scenario-kit.js';

const available = hasBinary(natsServerBinary);
let server: NatsServer | undefined;
let nats: NatsSystem | undefined;
let system: ScenarioSystem;

before(async () => {
  if (!available) return;
  server = await startNatsServer();
  nats = await startNatsSystem({ servers: server.url });
  system = {
    bus: nats.bus,
    caPem: nats.ca.certificatePem,
    measurement: nats.measurement,
    launch: (policy, options) => nats!.launch(policy, options),
    journal: () => nats!.journal(),
  };
});
after(async () => {
  await nats?.stop();
  await server?.stop();
});

for (const scenario of allScenarios) {
  test(`nats: ${scenario.name}`, async (t) => {
    if (!requireResource(t, 'nats-server binary', available)) return;
    const run = await scenario.run(system);
    const journal = await readComputation(await nats!.journal(run.computation), run.computation);
    const replays = replayTraces(journal.traces);
    assert.ok(replays.some((r) => r.machine === 'enclave'));
    for (const replay of replays)
      assert.equal(
        replay.divergence,
        undefined,
        `${replay.actor}: ${JSON.stringify(replay.divergence)}`,
      );
  });
}
