import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareRun, runScenario, embeddedEnvironment } from '../../scenarios/index.js';
import { veracruzCases } from '../../scenarios/testing/index.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';

test('vc replay: an embedded journal file replays without divergence, per computation and as JSON', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vc-replay-'));
  const journalFile = join(dir, 'run.vcj');
  const env = await embeddedEnvironment({ journalFile });
  let computation: string;
  try {
    const report = await runScenario(await prepareRun(veracruzCases[0]!, env.trust), env);
    assert.equal(report.ok, true, report.verdict.details.join('\n'));
    computation = report.computation;
  } finally {
    await env.stop();
  }
  try {
    const io = captureIo();
    assert.equal(await main(['replay', journalFile], io), 0);
    const text = io.stdout.join('\n');
    assert.match(text, new RegExp(`computation ${computation}`));
    assert.match(text, /enclave \(enclave machine\)/);
    assert.match(text, /every actor reproduces its recorded timeline/);

    const json = captureIo();
    assert.equal(
      await main(['replay', journalFile, '--computation', computation, '--json'], json),
      0,
    );
    const report = JSON.parse(json.stdout.join('')) as {
      ok: boolean;
      computations: { actors: { machine: string }[] }[];
    };
    assert.equal(report.ok, true);
    assert.deepEqual([...new Set(report.computations[0]!.actors.map((a) => a.machine))].sort(), [
      'enclave',
      'host',
      'participant',
      'verifier',
    ]);

    const usage = captureIo();
    assert.equal(await main(['replay'], usage), 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
