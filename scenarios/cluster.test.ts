// The multi-host run on a 3-node NATS cluster with JetStream replication 3: verifier, two hosts and
// the participants on their own connections spread over the nodes. One node is killed in the middle
// of the scenario; the clients reconnect to the others and the scenario completes with the right
// result, and the replicated JetStream journal still holds the whole computation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readComputation } from '../actors/journal-replay.js';
import { replayTraces } from '../actors/replay.js';
import { startNatsCluster } from '../test-support/nats-cluster.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { JetStreamJournalReader } from '../transport/journal/jetstream-journal.js';
import type { JournalRecord } from '../transport/journal/record.js';
import { NatsTransport } from '../transport/nats-transport.js';
import { findScenario } from './catalog.js';
import { prepareRun } from './prepare.js';
import { runScenario } from './run-scenario.js';
import { natsEnvironment } from './run/nats.js';

test('cluster: a NATS node stopped mid-scenario, the scenario still completes', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
  const cluster = await startNatsCluster(3);
  const env = await natsEnvironment({ url: cluster.urls, hosts: 2, jetstreamReplicas: 3 });
  try {
    const run = await prepareRun(findScenario('sealed-bid-auction')!, env.trust, { seed: 9 });
    let killed = false;
    const report = await runScenario(run, env, {
      onEvent: (event) => {
        // After the bids are in and before the auction runs: a node dies under live connections.
        if (event.type === 'round' && event.round === 2 && !killed) {
          killed = true;
          void cluster.nodes[0]!.kill();
        }
      },
    });
    assert.ok(killed, 'a node was stopped during the run');
    assert.equal(report.failure, undefined, JSON.stringify(report.failure));
    assert.equal(report.ok, true, report.verdict.details.join('\n'));

    t.diagnostic(`scenario took ${Math.round(report.totalMs)} ms with a node down`);
    // The journal from the two surviving nodes (JetStream may still be electing new leaders).
    const reader = await NatsTransport.connect({ servers: cluster.urls.slice(1) });
    try {
      const records = await readJournal(reader);
      const computation = await readComputation(records, run.computation);
      const kinds = new Set(computation.messages.map((m) => m.kind));
      for (const kind of ['host.launch', 'provision.data', 'compute.request', 'result.read'])
        assert.ok(kinds.has(kind), `the replicated journal holds ${kind}`);
      for (const actor of replayTraces(computation.traces))
        assert.equal(actor.divergence, undefined, `${actor.actor} replays`);
    } finally {
      await reader.close();
    }
  } finally {
    await env.stop();
    await cluster.stop();
  }
});

async function readJournal(reader: NatsTransport): Promise<JournalRecord[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const records: JournalRecord[] = [];
      const journal = new JetStreamJournalReader(reader.connection);
      for await (const record of journal.records()) records.push(record);
      return records;
    } catch (error) {
      if (attempt >= 6) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}
