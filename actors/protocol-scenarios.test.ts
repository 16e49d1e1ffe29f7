// Veracruz's server and integration scenarios over the in-memory bus (embedded mode); after each,
// its journal is replayed and must reproduce every actor's recorded timeline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbedded, type EmbeddedSystem } from './embedded.js';
import { readComputation } from './journal-replay.js';
import { allScenarios } from './protocol-scenarios.js';
import { replayTraces } from './replay.js';
import type { ScenarioSystem } from './scenario-kit.js';

let embedded: EmbeddedSystem;
let system: ScenarioSystem;

before(async () => {
  embedded = await startEmbedded();
  system = {
    bus: embedded.bus,
    caPem: embedded.ca.certificatePem,
    measurement: embedded.measurement,
    launch: (policy, options) => embedded.launch(policy, options),
    journal: async () => embedded.journal,
  };
});
after(async () => embedded.stop());

for (const scenario of allScenarios) {
  test(`embedded: ${scenario.name}`, async () => {
    const run = await scenario.run(system);
    await embedded.bus.flush();
    const journal = await readComputation(embedded.journal, run.computation);
    const replays = replayTraces(journal.traces);
    const actors = replays.map((r) => r.machine).sort();
    assert.ok(
      actors.includes('enclave') &&
        actors.includes('verifier') &&
        actors.includes('host') &&
        actors.includes('participant'),
    );
    for (const replay of replays)
      assert.equal(
        replay.divergence,
        undefined,
        `${replay.actor}: ${JSON.stringify(replay.divergence)}`,
      );
  });
}
