// Every scenario end to end: embedded (in-memory bus) and over a private nats-server, each result
// checked against the SDK examples' reference implementations; embedded also Veracruz's own
// integration cases and the enclave's refusals of a participant (scenarios/testing/), each run's
// journal replaying through today's machines; plus the runner's refusals.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { scenarios, findScenario } from './catalog.js';
import { prepareRun } from './prepare.js';
import { runScenario } from './run-scenario.js';
import type { Environment } from './run/environment.js';
import { embeddedEnvironment } from './run/embedded.js';
import { natsEnvironment } from './run/nats.js';
import { startNatsServer, type NatsServer, parseJournal } from '../transport/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readComputation, replayTraces } from '../actors/index.js';
import { shutdownWorkers } from '../enclave/index.js';
import { liveSandboxThreads } from '../enclave/testing/index.js';
import { isolateTmpdir, watchLeftovers, type LeftoverWatch } from '../test-support/leftovers.js';
import { actingRun, refusalCases, veracruzCases } from './testing/veracruz-cases.js';

isolateTmpdir();

/**
 * After each test: no sandbox worker thread (the idle spare stopped, a guest's thread must be
 * gone), no child process started by the test, no `vc-*` temporary folder it created.
 */
function assertNothingLeftAfterEach(): void {
  let watch: LeftoverWatch;
  beforeEach(() => void (watch = watchLeftovers()));
  afterEach(async () => {
    await shutdownWorkers();
    assert.equal(liveSandboxThreads(), 0, 'no sandbox worker thread is left');
    assert.deepEqual(await watch.settle(), [], 'nothing is left behind');
  });
}

/**
 * The run's journal replays through today's machines without a divergence, with a recording of
 * every role. A refused stranger's envelopes cannot be verified against the policy
 * (`strangers: true`); everything else must verify.
 */
async function assertReplays(
  report: Awaited<ReturnType<typeof runScenario>>,
  options: { strangers?: boolean } = {},
): Promise<void> {
  assert.ok(report.journal, 'the run wrote a journal');
  const { records } = parseJournal(readFileSync(report.journal.location));
  const journal = await readComputation(records, report.computation);
  if (!options.strangers) assert.equal(journal.unverified, 0, 'every journaled envelope verifies');
  const actors = replayTraces(journal.traces);
  const machines = new Set(actors.map((a) => a.machine));
  for (const role of ['enclave', 'verifier', 'host', 'participant'])
    assert.ok(machines.has(role), `the journal holds the ${role}'s recording`);
  for (const actor of actors)
    assert.equal(
      actor.divergence,
      undefined,
      `${actor.actor} diverges: ${JSON.stringify(actor.divergence)}`,
    );
}

function assertPassed(report: Awaited<ReturnType<typeof runScenario>>): void {
  assert.equal(report.failure, undefined, JSON.stringify(report.failure));
  assert.equal(report.ok, true, report.verdict.details.join('\n'));
  for (const round of report.rounds) for (const o of round.outcomes) assert.equal(o.state, 'done');
  assert.ok(
    report.phases.some((p) => p.phase === 'attestation'),
    'the trace shows attestation',
  );
  assert.ok(
    report.phases.some((p) => p.phase === 'execution'),
    'the trace shows execution',
  );
}

describe('scenarios, embedded', () => {
  assertNothingLeftAfterEach();
  let env: Environment;
  const dir = mkdtempSync(join(tmpdir(), 'vc-scenarios-'));
  before(async () => (env = await embeddedEnvironment({ journalFile: join(dir, 'journal.vcj') })));
  after(async () => {
    await env.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const scenario of [...scenarios, ...veracruzCases]) {
    test(scenario.name, async () => {
      const run = await prepareRun(scenario, env.trust, { seed: 3 });
      const report = await runScenario(run, env);
      assertPassed(report);
      await assertReplays(report);
    });
  }

  for (const refusal of refusalCases) {
    test(refusal.scenario.name, async () => {
      const run = await actingRun(await prepareRun(refusal.scenario, env.trust), refusal);
      const report = await runScenario(run, env);
      const outcome = report.rounds[0]?.outcomes[0];
      assert.equal(outcome?.state, 'failed', JSON.stringify(report.failure));
      assert.equal(outcome.failure?.code, refusal.code);
      await assertReplays(report, { strangers: refusal.actingAs !== undefined });
    });
  }

  test('a result that differs from the reference fails the run', async () => {
    const run = await prepareRun(findScenario('shamir')!, env.trust);
    const tampered = { ...run, plan: { ...run.plan, check: rejectAll } };
    const report = await runScenario(tampered, env);
    assert.equal(report.ok, false);
    assert.equal(report.failure, undefined, 'the protocol itself completed');
  });

  test('a policy naming another measurement: participants and launcher refuse the enclave', async () => {
    const trust = { ...env.trust, measurements: ['00'.repeat(32)] };
    const run = await prepareRun(findScenario('shamir')!, trust);
    const report = await runScenario(run, env);
    assert.equal(report.ok, false);
    assert.ok(report.failure, 'the run stopped');
    assert.match(report.failure.code, /^ERR_/);
    assert.notEqual(report.failure.code, 'ERR_INTERNAL');
    assert.equal(report.rounds.length, 0, 'no participant round ran against a refused enclave');
  });
});

describe('scenarios, over NATS', () => {
  assertNothingLeftAfterEach();
  let server: NatsServer | undefined;
  let env: Environment | undefined;
  before(async () => {
    if (!hasBinary('nats-server')) return;
    server = await startNatsServer();
    env = await natsEnvironment({ url: server.url, hosts: 2 });
  });
  after(async () => {
    await env?.stop();
    await server?.stop();
  });

  for (const scenario of scenarios) {
    test(scenario.name, async (t) => {
      if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
      const run = await prepareRun(scenario, env!.trust, { seed: 5 });
      const report = await runScenario(run, env!);
      assertPassed(report);
      assert.equal(report.mode, 'nats');
    });
  }
});

function rejectAll() {
  return { ok: false, headline: 'rejected by the test', details: [] };
}
