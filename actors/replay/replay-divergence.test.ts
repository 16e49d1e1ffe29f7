// Replaying a real computation's journal against a deliberately changed machine reports the
// divergence at the exact event the change affects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enclaveMachine, participantMachine, MACHINES } from '../../machines/index.js';
import { prepareRun, runScenario, embeddedEnvironment } from '../../scenarios/index.js';
import { veracruzCases } from '../../scenarios/testing/index.js';
import { parseJournal } from '../../transport/index.js';
import { readComputation } from './journal-runs.js';
import { replayTraces } from './replay.js';

test('a changed enclave or participant machine diverges at the right recorded event', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vc-divergence-'));
  const journalFile = join(dir, 'run.vcj');
  const env = await embeddedEnvironment({ journalFile });
  try {
    const scenario = veracruzCases.find((s) => s.name === 'linear-regression-2-clients')!;
    const report = await runScenario(await prepareRun(scenario, env.trust), env);
    assert.equal(report.ok, true, report.verdict.details.join('\n'));
    const { records } = parseJournal(await readFile(journalFile));
    const { traces, unverified } = await readComputation(records, report.computation);
    assert.equal(unverified, 0, 'every journaled envelope verifies');
    assert.ok(replayTraces(traces).every((r) => r.divergence === undefined));

    const enclaveTrace = traces.filter((t) => t.machine === 'enclave');
    const firstCompute = enclaveTrace.find((t) => t.event['type'] === 'compute.request')!;
    const refusesCompute = enclaveMachine.provide({ guards: { computeRefused: () => true } });
    const enclaveReplay = replayTraces(traces, { ...MACHINES, enclave: refusesCompute }).find(
      (r) => r.machine === 'enclave',
    )!;
    assert.equal(enclaveReplay.divergence?.index, firstCompute.index);
    assert.equal(enclaveReplay.divergence?.event['type'], 'compute.request');

    const noHashCheck = participantMachine.provide({ guards: { policyHashDiffers: () => true } });
    const participantReplays = replayTraces(traces, {
      ...MACHINES,
      participant: noHashCheck,
    }).filter((r) => r.machine === 'participant');
    assert.ok(participantReplays.length >= 2);
    for (const r of participantReplays) {
      assert.equal(r.divergence?.index, 1);
      assert.equal(r.divergence?.event['type'], 'enclave.ready');
    }
  } finally {
    await env.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
