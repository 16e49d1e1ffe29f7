import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureIo } from '../command.js';
import { main } from '../main.js';
import { startNatsServer, parseJournal } from '../../transport/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';

test('vc scenario list names every scenario and the flagship', async () => {
  const io = captureIo();
  assert.equal(await main(['scenario', 'list', '--json'], io), 0);
  const listed = JSON.parse(io.stdout.join('')) as { name: string }[];
  const names = listed.map((s) => s.name);
  for (const name of [
    'shamir',
    'linear-regression',
    'psi-hospitals',
    'intersection-sum',
    'sealed-bid-auction',
    'private-poll',
    'number-stream',
    'pipeline-sort',
    'secret-election',
    'collaborative-training',
  ])
    assert.ok(names.includes(name), name);
  const human = captureIo();
  assert.equal(await main(['scenario', 'list'], human), 0);
  assert.match(human.stdout.join('\n'), /sealed-bid-auction .*flagship/);
});

test('vc scenario run shamir: live phases, the checked result, the journal and how to replay it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-scenario-'));
  try {
    const journal = join(dir, 'journal.vcj');
    const io = captureIo();
    assert.equal(await main(['scenario', 'run', 'shamir', '--journal', journal], io), 0);
    const out = io.stdout.join('\n');
    assert.match(out, /holder-1 +checking the attestation/);
    assert.match(out, /enclave +running the program/);
    assert.match(out, /Result +✓ the rebuilt secret is "Hello World!"/);
    assert.match(out, /enclave: attestation \d+/);
    assert.ok(out.includes(`Journal  ${journal}`));
    assert.match(out, /Replay +npx vc replay .* --computation p[0-9a-f]{32}/);
    const { records } = parseJournal(readFileSync(journal));
    assert.ok(records.length > 10);
    assert.ok(records.some((r) => r.subject.includes('.trace.')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vc scenario run --json reports the verdict; unknown names and bad seeds are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-scenario-'));
  try {
    const io = captureIo();
    const args = ['scenario', 'run', 'linear-regression', '--json', '--journal', join(dir, 'j')];
    assert.equal(await main(args, io), 0);
    const journal = join(dir, 'j');
    const report = JSON.parse(io.stdout.join('')) as {
      ok: boolean;
      mode: string;
      scenario: string;
      totalMs: number;
      launchMs: number;
      phases: { phase: string; ms: number }[];
      rounds: { ms: number; outcomes: { party: string; read: string[] }[] }[];
      results: Record<string, Record<string, { bytes: number; sha256: string; value?: unknown }>>;
      journal: { location: string; replayCommand: string };
    };
    assert.deepEqual(
      [report.ok, report.mode, report.scenario],
      [true, 'embedded', 'linear-regression'],
    );
    // Every party's results: size, digest, and the decoded line (the scenario knows the format).
    assert.deepEqual(Object.keys(report.results), ['analyst']);
    const line = report.results['analyst']!['line']!;
    assert.equal(line.bytes, 16);
    assert.match(line.sha256, /^[0-9a-f]{64}$/);
    const { gradient, intercept } = line.value as { gradient: number; intercept: number };
    assert.ok(Number.isFinite(gradient) && Number.isFinite(intercept));
    assert.deepEqual(report.rounds[1]!.outcomes[0], {
      ...report.rounds[1]!.outcomes[0],
      party: 'analyst',
      read: ['line'],
    });
    // The timings and the journal's path.
    assert.ok(report.totalMs > 0 && report.launchMs > 0 && report.totalMs >= report.launchMs);
    assert.equal(report.rounds.length, 2);
    assert.ok(report.phases.some((p) => p.phase === 'execution'));
    assert.equal(report.journal.location, journal);
    assert.ok(parseJournal(readFileSync(journal)).records.length > 10);
    const unknown = captureIo();
    assert.equal(await main(['scenario', 'run', 'nope', '--json'], unknown), 1);
    assert.match(unknown.stdout.join(''), /ERR_SCENARIO_UNKNOWN/);
    assert.equal(await main(['scenario', 'run', 'shamir', '--seed', 'x'], captureIo()), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vc scenario run --nats URL runs over a NATS server', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
  const server = await startNatsServer();
  const dir = mkdtempSync(join(tmpdir(), 'vc-scenario-'));
  try {
    const io = captureIo();
    const args = ['scenario', 'run', 'intersection-sum', '--nats', server.url, '--json'];
    assert.equal(await main([...args, '--journal', join(dir, 'j.vcj')], io), 0);
    const report = JSON.parse(io.stdout.join('')) as { ok: boolean; mode: string };
    assert.deepEqual([report.ok, report.mode], [true, 'nats']);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vc scenario new NAME scaffolds a scenario file that vc scenario run FILE runs and checks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-scenario-'));
  try {
    const made = captureIo();
    assert.equal(await main(['scenario', 'new', 'my-study', '--dir', dir], made), 0);
    assert.match(made.stdout.join('\n'), /my-study\.yaml and .*my-study\.ts/);
    // Never over a file already there; a name that is not kebab-case is a usage error.
    assert.equal(await main(['scenario', 'new', 'my-study', '--dir', dir], captureIo()), 2);
    assert.equal(await main(['scenario', 'new', 'My Study', '--dir', dir], captureIo()), 2);
    const io = captureIo();
    const file = join(dir, 'my-study.yaml');
    const journal = join(dir, 'j.vcj');
    assert.equal(await main(['scenario', 'run', file, '--json', '--journal', journal], io), 0);
    const report = JSON.parse(io.stdout.join('')) as {
      ok: boolean;
      scenario: string;
      verdict: { headline: string };
      results: Record<string, Record<string, { value?: { gradient: number } }>>;
      journal: { location: string };
    };
    assert.equal(report.ok, true);
    assert.equal(report.scenario, 'my-study');
    assert.match(report.verdict.headline, /^fitted line y = /);
    assert.ok(Number.isFinite(report.results['analyst']!['line']!.value!.gradient));
    assert.equal(report.journal.location, journal);
    const out = captureIo();
    assert.equal(await main(['scenario', 'prepare', file, '--out', join(dir, 'p')], out), 0);
    assert.match(out.stdout.join(''), /prepared .*my-study\.yaml/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
