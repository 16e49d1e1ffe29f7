import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileJournal, parseJournal, privateTempDir } from '../../transport/index.js';
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

test('vc replay of a journal that ends early: says where and in which states, and replays the prefix without a divergence', async () => {
  const dir = privateTempDir('vc-replay-');
  const journalFile = join(dir.path, 'run.vcj');
  const env = await embeddedEnvironment({ journalFile });
  try {
    const report = await runScenario(await prepareRun(veracruzCases[0]!, env.trust), env);
    assert.equal(report.ok, true, report.verdict.details.join('\n'));
  } finally {
    await env.stop();
  }
  try {
    const { records } = parseJournal(readFileSync(journalFile));
    const replayJson = async (file: string) => {
      const io = captureIo();
      const code = await main(['replay', file, '--json'], io);
      const out = JSON.parse(io.stdout.join('')) as {
        ok: boolean;
        computations: { end: { complete: boolean; afterRecord: number; summary: string } }[];
      };
      return { code, ok: out.ok, end: out.computations[0]!.end };
    };
    const whole = await replayJson(journalFile);
    assert.equal(whole.code, 0);
    assert.equal(whole.end.complete, true, whole.end.summary);
    assert.match(whole.end.summary, /the enclave reached its final state shutDown/);

    // Cut as a killed process or a dead server would: the first N records, still a valid chain.
    const summaries: string[] = [];
    for (const fraction of [0.2, 0.4, 0.6, 0.8]) {
      const keep = Math.floor(records.length * fraction);
      const cut = join(dir.path, `cut-${keep}.vcj`);
      const journal = FileJournal.open(cut);
      for (const r of records.slice(0, keep)) journal.append(r.subject, r.data);
      journal.close();
      const replayed = await replayJson(cut);
      assert.equal(replayed.code, 0, `cut at ${keep}: a prefix is not a divergence`);
      assert.equal(replayed.ok, true);
      assert.equal(replayed.end.complete, false);
      assert.match(
        replayed.end.summary,
        new RegExp(
          `^journal ends after record \\d+ \\((enclave in state [a-zA-Z.,]+|no enclave transition recorded).*\\): the computation did not finish$`,
        ),
      );
      assert.ok(replayed.end.afterRecord <= keep);
      summaries.push(replayed.end.summary);

      const text = captureIo();
      assert.equal(await main(['replay', cut], text), 0);
      assert.ok(text.stdout.join('\n').includes(replayed.end.summary));
    }
    assert.ok(
      summaries.some((s) => / waiting for the reply to [a-z.]+/.test(s)),
      summaries.join('\n'),
    );
  } finally {
    dir.remove();
  }
});
