// `vc scenario run` prints a scenario's own figures (delegated-inference: frames per second,
// latency per frame, bus against plaintext bytes) in its report, and `--json` carries them as
// `metrics`, with the run's bytes on the bus as `busBytes`; `vc scenario list` names it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureIo } from '../command.js';
import { main } from '../main.js';

test('vc scenario list names delegated-inference', async () => {
  const io = captureIo();
  assert.equal(await main(['scenario', 'list'], io), 0);
  assert.match(io.stdout.join(''), /delegated-inference/);
});

test('vc scenario run delegated-inference reports its figures, in words and in --json', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-scenario-metrics-'));
  try {
    const json = captureIo();
    const args = ['scenario', 'run', 'delegated-inference', '--json', '--journal', join(dir, 'j')];
    assert.equal(await main(args, json), 0);
    const report = JSON.parse(json.stdout.join('')) as {
      ok: boolean;
      busBytes: number;
      metrics: { name: string; value: number; unit: string }[];
    };
    assert.equal(report.ok, true);
    const names = report.metrics.map((m) => m.name);
    for (const name of [
      'frames per second',
      'latency per frame p50',
      'latency per frame p95',
      'bytes on the bus (signed messages and sealed chunks)',
      'plaintext bytes in all (with program, model, labels)',
    ])
      assert.ok(names.includes(name), `--json carries ${name}`);
    assert.ok(report.busBytes > 0);

    const words = captureIo();
    assert.equal(await main(['scenario', 'run', 'delegated-inference', '--seed', '2'], words), 0);
    const text = words.stdout.join('\n');
    assert.match(text, /frames per second: [\d.]+ frames\/s/);
    assert.match(text, /latency per frame p95: [\d.]+ ms/);
    assert.match(text, /bytes on the bus in all/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
