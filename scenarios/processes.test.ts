// --processes: every actor its own OS process over a private nats-server, running the deployment
// commands that docker-compose.yml runs (vc scenario prepare, vc verifier, two vc host with enclave
// worker processes, vc launch, vc client per party and round). A representative subset: the
// flagship (whose commands docker-compose.yml runs), the pipeline and delegated inference (a
// stream of frames, a device and its owner alternating); every scenario runs embedded
// and over NATS in scenarios.test.ts (the whole matrix as processes takes minutes on 2 cores;
// VC_SCENARIOS_ALL_PROCESSES=1 runs it).
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readComputation, replayTraces } from '../actors/index.js';
import { isolateTmpdir, watchLeftovers, type LeftoverWatch } from '../test-support/leftovers.js';
import { startNatsServer, type NatsServer, parseJournal } from '../transport/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { FLAGSHIP, findScenario, scenarios } from './catalog.js';
import { runScenario } from './run-scenario.js';
import { prepareIn } from './run/open.js';
import { processesEnvironment } from './run/processes.js';

isolateTmpdir();

describe('scenarios as separate processes', () => {
  // After each run: no process of its tree (services, enclave workers, clients), no vc-* folder.
  let watch: LeftoverWatch;
  beforeEach(() => void (watch = watchLeftovers()));
  afterEach(async () => assert.deepEqual(await watch.settle(), [], 'nothing is left behind'));
  let server: NatsServer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'vc-processes-test-'));
  before(async () => {
    if (hasBinary('nats-server')) server = await startNatsServer();
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // VC_SCENARIOS_ALL_PROCESSES=1 runs every scenario this way (about 8 minutes on 2 cores).
  const names =
    process.env['VC_SCENARIOS_ALL_PROCESSES'] === '1'
      ? scenarios.map((s) => s.name)
      : [FLAGSHIP, 'pipeline-sort', 'delegated-inference'];
  for (const name of names) {
    test(name, async (t) => {
      if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
      const journalFile = join(dir, `${name}.vcj`);
      // pipeline-sort runs in a namespace of its own: every `vc` process is handed it
      const namespace = name === 'pipeline-sort' ? 'procs' : 'vc';
      const env = await processesEnvironment({
        nats: { servers: [server!.url], namespace },
        workDir: join(dir, name),
        journalFile,
      });
      try {
        const run = await prepareIn(env, findScenario(name)!, 2);
        const report = await runScenario(run, env);
        assert.equal(report.failure, undefined, JSON.stringify(report.failure));
        assert.equal(report.ok, true, report.verdict.details.join('\n'));
        assert.equal(report.mode, 'processes');
        assert.equal(report.namespace, namespace);
        assert.ok(
          report.phases.some((p) => p.phase === 'execution'),
          'the enclave traced',
        );
        const { records } = parseJournal(readFileSync(journalFile));
        assert.ok(records.every((r) => r.subject.startsWith(`${namespace}.`)));
        const journal = await readComputation(records, run.computation);
        const actors = replayTraces(journal.traces);
        assert.ok(actors.filter((a) => a.machine === 'participant').length >= 2);
        for (const actor of actors) assert.equal(actor.divergence, undefined, `${actor.actor}`);
      } finally {
        await env.stop();
      }
    });
  }
});
