// `vc replay` as a debugger (issue 16, item 2): one chronological view with names, times and codes,
// filters that change what is shown and never the verdict, one JSON object per event then a
// summary, runs (the same policy run twice replays as two runs), nothing to replay as an error, and
// a journal cut short (a prefix, or a run interrupted by SIGINT) replaying up to where it stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import {
  decodePlain,
  encodePlain,
  FileJournal,
  macEnvelope,
  natsServerBinary,
  parseJournal,
  privateTempDir,
  startNatsServer,
} from '../../transport/index.js';
import { prepareRun, runScenario, embeddedEnvironment } from '../../scenarios/index.js';
import { identities, policyFor, veracruzCases, wasmOf } from '../../scenarios/testing/index.js';
import { natsBus, readRuns, startSystem } from '../../actors/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';

const vc = fileURLToPath(new URL('../../bin/vc.mjs', import.meta.url));

interface Summary {
  type: 'summary';
  ok: boolean;
  divergence: unknown;
  receiptMismatch: { computation: string; channels: string[] } | null;
  runs: {
    computation: string;
    run: string;
    events: number;
    actors: { machine: string }[];
    end: { complete: boolean; afterRecord: number; summary: string };
  }[];
}

type Line = Record<string, unknown> & { type: string };

/** `vc replay ... --json`: the events (one per line) and the final summary. */
async function replayJson(args: string[]) {
  const io = captureIo();
  const code = await main(['replay', ...args, '--json'], io);
  const lines = io.stdout.flatMap((s) => s.split('\n')).map((l) => JSON.parse(l) as Line);
  const summary = lines.at(-1) as unknown as Summary;
  assert.equal(summary.type, 'summary');
  return { code, events: lines.slice(0, -1), summary };
}

async function replayText(args: string[]) {
  const io = captureIo();
  const code = await main(['replay', ...args], io);
  return { code, text: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

/** Runs one scenario (random-source unless said) embedded, journaled to `file`. */
async function journaled(file: string, scenario = veracruzCases[0]!, times = 1) {
  const env = await embeddedEnvironment({ journalFile: file });
  try {
    const run = await prepareRun(scenario, env.trust);
    for (let i = 0; i < times; i++) {
      const report = await runScenario(run, env);
      assert.equal(report.ok, true, report.verdict.details.join('\n'));
    }
    return run.computation;
  } finally {
    await env.stop();
  }
}

test('vc replay: one chronological view with names, times, sizes and the verdict; --json is every event then a summary', async () => {
  const dir = privateTempDir('vc-replay-');
  try {
    const file = join(dir.path, 'run.vcj');
    const computation = await journaled(file);
    const { code, text } = await replayText([file]);
    assert.equal(code, 0);
    assert.match(text, new RegExp(`^computation ${computation}  run r[0-9a-f]{10} \\(#1\\)`));
    assert.match(text, /lanes: .*host.*enclave.*verifier.*client \(participant\)/);
    assert.match(text, /#\d+ +\+0\.\d{3}s {2}client +>> session\.hello -> enclave \(\d+ B\)/);
    assert.match(text, /\+\d\.\d{3}s {2}enclave +attest\.certificate -> serving\.idle/);
    assert.match(text, /the computation finished/);
    assert.match(text, /every actor reproduces its recorded timeline/);
    const seqs = [...text.matchAll(/^ {2}#(\d+) /gm)].map((m) => Number(m[1]));
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      'in journal order',
    );

    const json = await replayJson([file, '--computation', computation]);
    assert.equal(json.code, 0);
    assert.equal(json.summary.ok, true);
    assert.equal(json.summary.divergence, null);
    assert.equal(json.events.length, json.summary.runs[0]!.events);
    assert.equal(json.events.length, seqs.length);
    assert.ok(json.events.every((e) => !('record' in e) && typeof e['offset'] === 'number'));
    assert.ok(json.events.some((e) => e.type === 'message' && e['kind'] === 'enclave.ready'));
    assert.deepEqual([...new Set(json.summary.runs[0]!.actors.map((a) => a.machine))].sort(), [
      'enclave',
      'host',
      'participant',
      'verifier',
    ]);
    assert.equal((await replayText([])).code, 2);
  } finally {
    dir.remove();
  }
});

test('vc replay filters: --actor, --kind, --from/--to choose what is shown, never the verdict', async () => {
  const dir = privateTempDir('vc-replay-');
  try {
    const file = join(dir.path, 'run.vcj');
    await journaled(file);
    const all = await replayJson([file]);
    const client = await replayJson([file, '--actor', 'client']);
    assert.ok(client.events.length > 0 && client.events.length < all.events.length);
    assert.ok(client.events.every((e) => e['actor'] === 'client' || e['to'] === 'client'));
    assert.deepEqual(client.summary, all.summary);

    const steps = await replayJson([file, '--actor', 'enclave', '--kind', 'transition']);
    assert.ok(steps.events.every((e) => e.type === 'transition' && e['actor'] === 'enclave'));
    const hellos = await replayJson([
      file,
      '--kind',
      'session.hello',
      '--kind',
      'provision.program',
    ]);
    assert.deepEqual([...new Set(hellos.events.map((e) => e['kind']))].sort(), [
      'provision.program',
      'session.hello',
    ]);

    const seqs = all.events.map((e) => Number(e['seq']));
    const [from, to] = [seqs[5]!, seqs[15]!];
    const window = await replayJson([file, '--from', `#${from}`, '--to', String(to)]);
    // A trace batch is one journal record: its transitions share its position.
    assert.deepEqual(
      window.events.map((e) => e['seq']),
      seqs.filter((seq) => seq >= from && seq <= to),
    );
    const mid = all.events[10]!;
    const later = await replayJson([file, '--from', `${Number(mid['offset']) * 1000}ms`]);
    assert.ok(later.events.every((e) => Number(e['offset']) >= Number(mid['offset'])));
    assert.ok(later.events.some((e) => e['seq'] === mid['seq']));
    const until = await replayJson([file, '--to', String(mid['at'])]);
    assert.ok(until.events.every((e) => String(e['at']) <= String(mid['at'])));
    assert.equal(until.summary.ok, true);

    const text = await replayText([file, '--actor', 'client']);
    assert.match(text.text, /showing \d+ of \d+ events \(filtered\)/);
    assert.equal((await replayText([file, '--from', 'yesterday'])).code, 2);
    const unknown = await replayText([file, '--actor', 'mallory']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no such lane/);
  } finally {
    dir.remove();
  }
});

test('vc replay: the same policy run twice in one journal replays as two runs, each without divergence', async () => {
  const dir = privateTempDir('vc-replay-');
  try {
    const file = join(dir.path, 'twice.vcj');
    const computation = await journaled(file, veracruzCases[0], 2);
    const io = captureIo();
    assert.equal(await main(['replay', file, '--runs', '--json'], io), 0);
    const runs = io.stdout.map((l) => JSON.parse(l) as Line);
    assert.equal(runs.length, 2);
    assert.deepEqual(
      runs.map((r) => [r['computation'], r['number'], r['finished']]),
      [
        [computation, 1, true],
        [computation, 2, true],
      ],
    );
    assert.notEqual(runs[0]!['run'], runs[1]!['run']);

    const latest = await replayJson([file]);
    assert.equal(latest.code, 0);
    assert.equal(latest.summary.runs.length, 1);
    assert.equal(latest.summary.runs[0]!.run, runs[1]!['run']);
    const first = await replayJson([file, '--run', String(runs[0]!['run'])]);
    assert.equal(first.code, 0);
    assert.equal(first.summary.ok, true);
    assert.equal(first.summary.runs[0]!.end.complete, true);
    assert.ok(first.events.every((e) => e['run'] === runs[0]!['run']));
  } finally {
    dir.remove();
  }
});

test('vc replay with nothing to replay: an empty journal, an unknown computation or run is ERR_NOTHING_TO_REPLAY, exit 1', async () => {
  const dir = privateTempDir('vc-replay-');
  try {
    const empty = join(dir.path, 'empty.vcj');
    FileJournal.open(empty).close();
    const none = await replayText([empty]);
    assert.equal(none.code, 1);
    assert.match(none.err, /ERR_NOTHING_TO_REPLAY: the journal records no computation/);

    const file = join(dir.path, 'run.vcj');
    await journaled(file);
    const wrong = await replayText([file, '--computation', 'p0000']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /ERR_NOTHING_TO_REPLAY: the journal holds no computation p0000/);
    const noRun = await replayText([file, '--run', 'r0000000000']);
    assert.equal(noRun.code, 1);
    assert.match(noRun.err, /ERR_NOTHING_TO_REPLAY/);
  } finally {
    dir.remove();
  }
});

test('vc replay --diff: two runs of one scenario are the same; a cut journal or another scenario differ at the right actor and step', async () => {
  const dir = privateTempDir('vc-replay-');
  try {
    const a = join(dir.path, 'a.vcj');
    const b = join(dir.path, 'b.vcj');
    await journaled(a);
    await journaled(b);
    const same = await replayText([a, '--diff', b]);
    assert.equal(same.code, 0, same.text);
    assert.match(same.text, /the same: every actor takes the same steps/);

    // B: A's records without the enclave's last trace batch and all that follows it. (Trace
    // batches hold several transitions, how many depends on timing: the cut is made where a
    // batch starts, so the enclave surely lacks steps in B, and each actor's first missing step
    // is the first the cut does not hold.)
    const { records } = parseJournal(readFileSync(a));
    const all = await replayJson([a]);
    const transitionsOf = (events: Line[], actor: string): Line[] =>
      events.filter((e) => e['actor'] === actor && e['type'] === 'transition');
    const lastEnclaveBatch = Math.max(
      ...transitionsOf(all.events, 'enclave').map((e) => Number(e['seq'])),
    );
    const cut = join(dir.path, 'cut.vcj');
    const journal = FileJournal.open(cut);
    for (const r of records.slice(0, lastEnclaveBatch - 1)) journal.append(r.subject, r.data);
    journal.close();
    const io = captureIo();
    assert.equal(await main(['replay', a, '--diff', cut, '--json'], io), 1);
    const diff = JSON.parse(io.stdout.join('')) as {
      equal: boolean;
      differences: { actor: string; step: number; a?: { event: string }; b?: unknown }[];
    };
    assert.equal(diff.equal, false);
    const cutEvents = (await replayJson([cut])).events;
    for (const actor of ['enclave', 'client']) {
      const inA = transitionsOf(all.events, actor).length;
      const inB = transitionsOf(cutEvents, actor).length;
      const difference = diff.differences.find((d) => d.actor === actor);
      if (inB === inA) {
        assert.equal(difference, undefined, `${actor} takes every step in both`);
        continue;
      }
      assert.ok(difference, `${actor} lacks steps ${inB}.. in the cut journal`);
      assert.equal(difference.step, inB, actor);
      assert.equal(difference.b, undefined, actor);
      assert.equal(
        difference.a?.event,
        transitionsOf(all.events, actor).find((e) => e['index'] === inB)?.['event'],
        actor,
      );
    }
    assert.ok(
      transitionsOf(cutEvents, 'enclave').length < transitionsOf(all.events, 'enclave').length,
      'the enclave lacks its last batch in the cut journal',
    );

    const other = join(dir.path, 'other.vcj');
    await journaled(other, veracruzCases[1]);
    const differs = await replayText([a, '--diff', other]);
    assert.equal(differs.code, 1);
    assert.match(differs.err, /ERR_REPLAY_DIFFERS/);
    assert.match(differs.text, /client \(participant machine\) differs at step 0/);
  } finally {
    dir.remove();
  }
});

test('vc replay of a journal that ends early: says where and in which states, and replays the prefix without a divergence', async () => {
  const dir = privateTempDir('vc-replay-');
  const journalFile = join(dir.path, 'run.vcj');
  try {
    await journaled(journalFile);
    const { records } = parseJournal(readFileSync(journalFile));
    const whole = await replayJson([journalFile]);
    assert.equal(whole.code, 0);
    assert.equal(whole.summary.runs[0]!.end.complete, true, whole.summary.runs[0]!.end.summary);
    assert.match(
      whole.summary.runs[0]!.end.summary,
      /the enclave reached its final state shutDown/,
    );

    // Cut as a killed process or a dead server would: the first N records, still a valid chain.
    const summaries: string[] = [];
    for (const fraction of [0.2, 0.4, 0.6, 0.8]) {
      const keep = Math.floor(records.length * fraction);
      const cut = join(dir.path, `cut-${keep}.vcj`);
      const journal = FileJournal.open(cut);
      for (const r of records.slice(0, keep)) journal.append(r.subject, r.data);
      journal.close();
      const replayed = await replayJson([cut]);
      const end = replayed.summary.runs[0]!.end;
      assert.equal(replayed.code, 0, `cut at ${keep}: a prefix is not a divergence`);
      assert.equal(replayed.summary.ok, true);
      assert.equal(end.complete, false);
      assert.match(
        end.summary,
        new RegExp(
          `^journal ends after record \\d+ \\((enclave in state [a-zA-Z.,]+|no enclave transition recorded).*\\): the computation did not finish$`,
        ),
      );
      assert.ok(end.afterRecord <= keep);
      summaries.push(end.summary);

      const text = await replayText([cut]);
      assert.equal(text.code, 0);
      assert.ok(text.text.includes(end.summary));
    }
    assert.ok(
      summaries.some((s) => / waiting for the reply to [a-z.]+/.test(s)),
      summaries.join('\n'),
    );
  } finally {
    dir.remove();
  }
});

test('an interrupted run leaves a journal: SIGINT once the enclave is ready, then vc replay replays up to where it stopped', async (t) => {
  const dir = privateTempDir('vc-replay-');
  const file = join(dir.path, 'interrupted.vcj');
  // number-stream: ten rounds after the enclave is ready, time enough to interrupt it midway.
  const child = spawn(
    process.execPath,
    [vc, 'scenario', 'run', 'number-stream', '--journal', file],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const stderr: string[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); // our child
    dir.remove();
  });
  const enclaveReady = async (): Promise<boolean> => {
    try {
      const runs = await readRuns(parseJournal(readFileSync(file)).records);
      return runs.some((r) =>
        r.events.some((e) => e.type === 'message' && e.kind === 'enclave.ready'),
      );
    } catch {
      return false; // not there yet, or a record being written
    }
  };
  const deadline = Date.now() + 120_000;
  while (!(await enclaveReady())) {
    assert.equal(
      child.exitCode,
      null,
      `the run ended before its enclave was ready: ${stderr.join('')}`,
    );
    assert.ok(Date.now() < deadline, 'the enclave was not ready within 120 s');
    await sleep(20);
  }
  child.kill('SIGINT'); // our own child, by its pid
  assert.equal(await exited, 130, stderr.join(''));
  assert.match(stderr.join(''), /ERR_INTERRUPTED/);

  const replayed = await replayJson([file]);
  assert.equal(replayed.code, 0, 'a prefix is not a divergence');
  assert.equal(replayed.summary.ok, true);
  assert.equal(replayed.summary.runs[0]!.end.complete, false);
  const text = await replayText([file]);
  assert.equal(text.code, 0);
  assert.match(text.text, /the computation did not finish/);
  assert.match(text.text, /enclave +>> enclave\.ready -> \*/);
});

test('vc replay --nats: a JetStream journal replays; a computation the stream does not hold is ERR_NOTHING_TO_REPLAY', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer();
  try {
    const system = await startSystem({
      bus: await natsBus({ servers: server.url, journal: { kind: 'jetstream' } }),
    });
    let computation: string;
    try {
      const [owner] = await identities(1);
      const policy = policyFor(system, {
        participants: [{ identity: owner!, capabilities: ['/program/:wx', '/output/:r'] }],
        programs: [
          { path: '/program/p.wasm', bytes: wasmOf('random-source'), capabilities: ['/output/:w'] },
        ],
      });
      computation = (await system.launch(policy)).computation;
      await system.bus.flush();
    } finally {
      await system.stop();
    }
    const replayed = await replayJson(['--nats', server.url, '--computation', computation]);
    assert.equal(replayed.code, 0);
    assert.equal(replayed.summary.runs[0]!.computation, computation);
    assert.ok(replayed.events.some((e) => e['kind'] === 'enclave.ready'));
    const missing = await replayText(['--nats', server.url, '--computation', 'p0000']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /ERR_NOTHING_TO_REPLAY: the journal holds no computation p0000/);
  } finally {
    await server.stop();
  }
});

test('vc replay of a journal whose session-channel message was changed: the receipt does not match, ERR_SESSION_RECEIPT_MISMATCH, exit 1', async () => {
  const dir = privateTempDir('vc-replay-');
  try {
    const file = join(dir.path, 'run.vcj');
    const computation = await journaled(file);
    const clean = await replayJson([file]);
    assert.equal(clean.summary.ok, true);
    assert.equal(clean.summary.receiptMismatch, null);
    // A MAC-ed request rewritten with another body under a key the forger made up, the journal's
    // hash chain written afresh around it (as whoever holds the file could).
    const { records } = parseJournal(readFileSync(file));
    const at = records.findIndex(
      (r) =>
        r.header?.kind === 'compute.request' && (decodePlain(r.data) as { v?: number }).v === 2,
    );
    assert.ok(at >= 0, 'the compute request went on the session channel');
    const envelope = decodePlain(records[at]!.data) as { body: Uint8Array; sig: Uint8Array };
    const body = decodePlain(envelope.body) as Record<string, unknown>;
    const forged = macEnvelope(
      records[at]!.header!,
      { ...body, program: '/program/other.wasm' },
      envelope.sig.subarray(0, 16),
      randomBytes(32),
    );
    const tampered = join(dir.path, 'tampered.vcj');
    const journal = FileJournal.open(tampered);
    for (const [i, r] of records.entries()) journal.append(r.subject, i === at ? forged : r.data);
    journal.close();
    const json = await replayJson([tampered]);
    assert.equal(json.code, 1);
    assert.equal(json.summary.ok, false);
    assert.equal(
      json.summary.divergence,
      null,
      'the machines still replay: their traces are signed',
    );
    assert.equal(json.summary.receiptMismatch?.computation, computation);
    assert.ok(
      json.events.some(
        (e) => e['kind'] === 'session.receipt' && e['code'] === 'ERR_SESSION_RECEIPT_MISMATCH',
      ),
    );
    const text = await replayText([tampered]);
    assert.equal(text.code, 1);
    assert.match(text.err, /ERR_SESSION_RECEIPT_MISMATCH/);
  } finally {
    dir.remove();
  }
});

test('vc replay of a journal with a record added to a session channel under a seq no sender uses (1.5): the receipt does not match, the reading does not fail', async () => {
  const dir = privateTempDir('vc-replay-');
  try {
    // The recorded shamir run, with a copy of a MAC-ed provision.data whose seq is 1.5 beside it:
    // bytes anyone may put on the bus, that no transcript (a u64 per message) can hold.
    const history = new URL('../../scenarios/histories/shamir.vcj', import.meta.url);
    const { records } = parseJournal(readFileSync(history));
    const at = records.findIndex(
      (r) => r.header?.kind === 'provision.data' && (decodePlain(r.data) as { v?: number }).v === 2,
    );
    assert.ok(at >= 0, 'the history has a provision.data on a session channel');
    const envelope = decodePlain(records[at]!.data) as Record<string, unknown>;
    const added = join(dir.path, 'added.vcj');
    const journal = FileJournal.open(added);
    for (const [i, r] of records.entries()) {
      journal.append(r.subject, r.data);
      if (i === at) journal.append(r.subject, encodePlain({ ...envelope, seq: 1.5 }));
    }
    journal.close();
    const json = await replayJson([added]);
    assert.equal(json.code, 1);
    assert.equal(json.summary.divergence, null);
    assert.ok(json.summary.receiptMismatch, 'the channel is named');
    assert.ok(
      json.events.some(
        (e) => e['kind'] === 'session.receipt' && e['code'] === 'ERR_SESSION_RECEIPT_MISMATCH',
      ),
    );
    const text = await replayText([added]);
    assert.equal(text.code, 1);
    assert.match(text.err, /ERR_SESSION_RECEIPT_MISMATCH/);
    assert.doesNotMatch(text.err, /ERR_INTERNAL/);
  } finally {
    dir.remove();
  }
});
