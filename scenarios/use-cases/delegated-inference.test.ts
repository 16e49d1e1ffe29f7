// delegated-inference beyond "it passes" (scenarios.test.ts runs it embedded and over NATS,
// processes.test.ts as processes): the policy carries the tiny budget; the run reports its rate,
// latencies and bytes; no frame or prediction plaintext is in the journal or anywhere on the bus
// (a tap of every subject, bulk chunks included; embedded and through a nats-server); and the
// enclave refuses the device reading a prediction, writing the model or running the detector, a
// stranger reading a prediction, and a frame beyond the storage quota.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentity } from '../../protocol/index.js';
import type { Step } from '../../machines/index.js';
import { shutdownWorkers } from '../../enclave/index.js';
import { isolateTmpdir, watchLeftovers, type LeftoverWatch } from '../../test-support/leftovers.js';
import { findScenario } from '../catalog.js';
import { prepareRun, type PreparedRun } from '../prepare.js';
import { runScenario, type ScenarioReport } from '../run-scenario.js';
import type { Environment } from '../run/environment.js';
import { embeddedEnvironment } from '../run/embedded.js';
import { natsEnvironment } from '../run/nats.js';
import { startNatsServer, type NatsServer } from '../../transport/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import type { ScenarioPlan } from '../scenario.js';
import { DELEGATED_LIMITS, FRAMES, frameRound } from './delegated-inference.js';

isolateTmpdir();

const scenario = findScenario('delegated-inference')!;
const PREDICTION = '/output/prediction.log';

/** Every way `bytes` could sit in `haystack` as plaintext: raw, or base64 at any alignment. */
function windowsOf(bytes: Uint8Array): { raw: Buffer[]; base64: string[] } {
  const raw: Buffer[] = [];
  const step = Math.max(16, Math.floor(bytes.length / 16));
  const size = Math.min(32, bytes.length);
  for (let at = 0; at + size <= bytes.length; at += step)
    raw.push(Buffer.from(bytes.subarray(at, at + size)));
  const base64: string[] = [];
  for (let shift = 0; shift < 3 && shift < bytes.length; shift++) {
    const text = Buffer.from(bytes.subarray(shift)).toString('base64');
    for (let at = 0; at + 44 <= text.length - 4; at += 4 * Math.max(4, Math.floor(step / 3)))
      base64.push(text.slice(at, at + 44));
  }
  return { raw, base64 };
}

function assertAbsent(haystack: Buffer, bytes: Uint8Array, what: string, where: string): void {
  const { raw, base64 } = windowsOf(bytes);
  assert.ok(raw.length > 0, `${what}: something to look for`);
  const text = haystack.toString('latin1');
  for (const w of raw) assert.equal(haystack.indexOf(w), -1, `${what} in clear in ${where}`);
  for (const w of base64) assert.equal(text.indexOf(w), -1, `${what} as base64 in ${where}`);
}

/** The run with the rounds replaced: the first `keep` rounds, then `party` doing `steps`. */
function thenTurn(run: PreparedRun, keep: number, party: string, steps: Step[]): PreparedRun {
  const plan: ScenarioPlan = {
    ...run.plan,
    rounds: [...run.plan.rounds.slice(0, keep), [{ party, steps }]],
    check: () => ({ ok: false, headline: 'the last turn should have been refused', details: [] }),
  };
  return { ...run, plan };
}

function refusedWith(report: ScenarioReport, code: string): void {
  const last = report.rounds.at(-1)?.outcomes[0];
  assert.equal(last?.state, 'failed', JSON.stringify(report.failure));
  assert.equal(last.failure?.code, code, JSON.stringify(last.failure));
  assert.equal(last.results.size, 0, 'the refused party read nothing');
}

/**
 * Runs the scenario on `env` and checks the policy's budget, the report's figures, and that no
 * frame or prediction is in clear on the bus (`tapped`: everything published, every subject) or in
 * the journal.
 */
async function ciphertextOnly(
  env: Environment,
  tapped: readonly Buffer[],
  seed: number,
): Promise<void> {
  const run = await prepareRun(scenario, env.trust, { seed });
  const { policy } = run.policy;
  assert.equal(policy.maxMemoryMib, DELEGATED_LIMITS.maxMemoryMib);
  assert.equal(policy.extensions.executionTimeoutMs, DELEGATED_LIMITS.executionTimeoutMs);
  assert.equal(policy.extensions.storageQuotaBytes, DELEGATED_LIMITS.storageQuotaBytes);

  const report = await runScenario(run, env);
  assert.equal(report.failure, undefined, JSON.stringify(report.failure));
  assert.equal(report.ok, true, report.verdict.details.join('\n'));
  const device = report.rounds.flatMap((r) => r.outcomes).filter((o) => o.party === 'device');
  assert.equal(device.length, FRAMES);
  assert.ok(
    device.every((o) => o.results.size === 0),
    'the device read nothing',
  );

  const metric = (name: string): number => {
    const found = report.metrics?.find((m) => m.name === name);
    assert.ok(found, `the report gives ${name}`);
    return found.value;
  };
  assert.ok(metric('frames per second') > 0);
  const [p50, p95] = [metric('latency per frame p50'), metric('latency per frame p95')];
  assert.ok(p50 > 0 && p50 <= p95, `p50 ${p50} ms, p95 ${p95} ms`);
  // A frame's latency is its upload round and its detection round.
  const latencies = Array.from(
    { length: FRAMES },
    (_, i) => report.rounds[frameRound(i)]!.ms + report.rounds[frameRound(i) + 1]!.ms,
  );
  assert.equal(p95, Math.max(...latencies), 'p95 of eight frames is the slowest');
  assert.ok(latencies.includes(p50));
  const frames = [...run.plan.sources.get('device')!.values()];
  const frameBytes = frames.reduce((n, f) => n + f.length, 0);
  assert.equal(report.busBytes, metric('bytes on the bus (signed messages and sealed chunks)'));
  assert.ok(report.busBytes > frameBytes, 'the sealed frames are counted on the bus');

  await env.bus.flush();
  await new Promise((resolve) => setTimeout(resolve, 200)); // the tap's last deliveries
  const bus = Buffer.concat(tapped);
  assert.ok(bus.length >= report.busBytes, 'the tap saw at least what the run counted');
  const journal = readFileSync(report.journal!.location);
  const predictions = [...report.rounds.flatMap((r) => r.outcomes)]
    .filter((o) => o.party === 'owner')
    .flatMap((o) => [...o.results.values()]);
  assert.equal(predictions.length, FRAMES);
  // A planted frame is found: the search itself works.
  assert.throws(() => assertAbsent(Buffer.concat([bus, frames[0]!]), frames[0]!, 'x', 'y'));
  for (const [i, frame] of frames.entries()) {
    assertAbsent(bus, frame, `frame ${i}`, 'the bus');
    assertAbsent(journal, frame, `frame ${i}`, 'the journal');
  }
  for (const [i, prediction] of predictions.entries()) {
    if (prediction.length < 16) continue; // an empty or tiny result says nothing findable
    assertAbsent(bus, prediction, `prediction ${i}`, 'the bus');
    assertAbsent(journal, prediction, `prediction ${i}`, 'the journal');
  }
}

describe('delegated-inference', () => {
  let watch: LeftoverWatch;
  beforeEach(() => void (watch = watchLeftovers()));
  afterEach(async () => {
    await shutdownWorkers();
    assert.deepEqual(await watch.settle(), [], 'nothing is left behind');
  });
  let env: Environment;
  const dir = mkdtempSync(join(tmpdir(), 'vc-delegated-'));
  const journalFile = join(dir, 'journal.vcj');
  // Every byte published on the bus, on every subject (replies and bulk chunks included).
  const tapped: Buffer[] = [];
  before(async () => {
    env = await embeddedEnvironment({ journalFile });
    env.bus.subscribe('>', (message) => void tapped.push(Buffer.from(message.data)));
  });
  after(async () => {
    await env.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the owner reads every prediction; the bus and the journal carry only ciphertext', () =>
    ciphertextOnly(env, tapped, 7));

  // After the set-up round and frame 0's upload and detection (rounds 0 to 2).
  const afterFirstFrame = frameRound(0) + 2;

  test('the device may not read a prediction (it has no read right): it is refused', async () => {
    const run = await prepareRun(scenario, env.trust, { seed: 8 });
    const report = await runScenario(
      thenTurn(run, afterFirstFrame, 'device', [
        { op: 'result', path: PREDICTION, destination: 'stolen' },
      ]),
      env,
    );
    refusedWith(report, 'ERR_ACCESS_DENIED');
  });

  test('the device may not replace the model nor run the detector', async () => {
    const run = await prepareRun(scenario, env.trust, { seed: 9 });
    const model = run.plan.sources.get('owner')!.get('model')!;
    const swapped: PreparedRun = {
      ...run,
      plan: {
        ...run.plan,
        sources: new Map([
          ...run.plan.sources,
          ['device', new Map([...run.plan.sources.get('device')!, ['model', model]])],
        ]),
      },
    };
    refusedWith(
      await runScenario(
        thenTurn(swapped, afterFirstFrame, 'device', [
          { op: 'data', path: '/input/detector.vcqn', source: 'model', mode: 'write' },
        ]),
        env,
      ),
      'ERR_ACCESS_DENIED',
    );
    refusedWith(
      await runScenario(
        thenTurn(await prepareRun(scenario, env.trust, { seed: 10 }), afterFirstFrame, 'device', [
          { op: 'compute', program: '/program/object-detection.wasm' },
        ]),
        env,
      ),
      'ERR_ACCESS_DENIED',
    );
  });

  test('a stranger (not in the policy) reading a prediction is refused', async () => {
    const run = await prepareRun(scenario, env.trust, { seed: 11 });
    const stranger = await createIdentity({
      name: 'stranger',
      now: new Date(Date.now() - 3600_000),
    });
    const acting = thenTurn(run, afterFirstFrame, 'device', [
      { op: 'result', path: PREDICTION, destination: 'stolen' },
    ]);
    const identities = new Map(run.identities);
    identities.set('device', stranger);
    const report = await runScenario({ ...acting, identities }, env);
    refusedWith(report, 'ERR_UNKNOWN_PARTICIPANT');
  });

  test('the tiny budget holds: a frame beyond the storage quota is refused', async () => {
    const run = await prepareRun(scenario, env.trust, { seed: 12 });
    const huge = new Uint8Array(DELEGATED_LIMITS.storageQuotaBytes + 1);
    const withHuge: PreparedRun = {
      ...run,
      plan: {
        ...run.plan,
        sources: new Map([
          ...run.plan.sources,
          ['device', new Map([...run.plan.sources.get('device')!, ['huge', huge]])],
        ]),
      },
    };
    const report = await runScenario(
      thenTurn(withHuge, 1, 'device', [
        { op: 'data', path: '/input/image.pgm', source: 'huge', mode: 'write' },
      ]),
      env,
    );
    refusedWith(report, 'ERR_QUOTA_EXCEEDED');
  });
});

describe('delegated-inference over NATS', () => {
  let server: NatsServer | undefined;
  let env: Environment | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'vc-delegated-nats-'));
  // Everything the nats-server relays, on every subject (inboxes and bulk chunks included).
  const tapped: Buffer[] = [];
  before(async () => {
    if (!hasBinary('nats-server')) return;
    server = await startNatsServer();
    env = await natsEnvironment({ url: server.url, journalFile: join(dir, 'journal.vcj') });
    env.bus.subscribe('>', (message) => void tapped.push(Buffer.from(message.data)));
  });
  after(async () => {
    await env?.stop();
    await server?.stop();
    await shutdownWorkers();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the host and the server relay only ciphertext', async (t) => {
    if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
    await ciphertextOnly(env!, tapped, 13);
  });
});
