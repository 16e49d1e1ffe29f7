// `vc watch --json` as its own process over a private nats-server, while a scenario runs with
// `vc scenario run --nats` and while the step-by-step CLI flow of docs/cli-quickstart.md runs: every
// actor's phases by name, as many messages as the JetStream journal holds, refusals with their code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startCliDeployment,
  vcBin,
  type CliDeployment,
} from '../../test-support/cli-deployment.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import {
  JetStreamJournalReader,
  NatsTransport,
  ensureJournalStream,
  natsServerBinary,
  startNatsServer,
} from '../../transport/index.js';
import { subjectsFor } from '../../protocol/index.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';

/** The default namespace's subjects. */
const S = subjectsFor();

interface WatchedEvent {
  readonly type: 'transition' | 'message';
  readonly computation: string;
  readonly run: string;
  readonly actor: string;
  readonly time: number;
  readonly state?: string;
  readonly event?: string;
  readonly kind?: string;
  readonly to?: string;
  readonly size?: number;
  readonly code?: string;
  readonly record?: unknown;
}

interface Watcher {
  readonly events: WatchedEvent[];
  /** SIGTERM (unless it ended), then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `vc watch --json ARGS` and resolves once it subscribed (its line on stderr). */
async function startWatch(args: string[]): Promise<Watcher> {
  const child: ChildProcess = spawn(process.execPath, [vcBin, 'watch', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: WatchedEvent[] = [];
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as WatchedEvent);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('watching')) resolve();
    });
    void exited.then((code) => reject(new Error(`vc watch exited ${code}: ${err}`)));
  });
  return {
    events,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The journal's protocol messages of one computation (trace records are not messages). */
async function journaledMessages(url: string, computation: string): Promise<number> {
  const bus = await NatsTransport.connect({ servers: url, name: 'test-journal' });
  try {
    let count = 0;
    const reader = new JetStreamJournalReader(bus.connection, S.journalStream);
    for await (const record of reader.records({ computation }))
      if (!record.subject.includes('.trace.')) count++;
    return count;
  } finally {
    await bus.close();
  }
}

/** Waits until `check()` holds, at most 20 s (the assertions after it say what is missing). */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

function shownMessages(watch: Watcher, computation: string): number {
  return watch.events.filter((e) => e.type === 'message' && e.computation === computation).length;
}

/**
 * The number of protocol messages of the computation in JetStream, once the computation ended
 * (the host's `computation.ended`, its last message) and the watcher has shown as many: both
 * observe the same bus, each at its own pace.
 */
async function journaledOnceEnded(url: string, watch: Watcher, computation: string) {
  const ended = () =>
    watch.events.some((e) => e.kind === 'computation.ended' && e.computation === computation);
  await until(ended);
  assert.ok(ended(), 'the watcher saw the computation end');
  let journaled = await journaledMessages(url, computation);
  const deadline = Date.now() + 20_000;
  while (shownMessages(watch, computation) !== journaled && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    journaled = await journaledMessages(url, computation);
  }
  return journaled;
}

function statesOf(events: readonly WatchedEvent[], actor: string): string[] {
  return events.filter((e) => e.type === 'transition' && e.actor === actor).map((e) => e.state!);
}

function assertSameMessages(events: readonly WatchedEvent[], computation: string, n: number) {
  const shown = events.filter((e) => e.type === 'message' && e.computation === computation);
  assert.equal(shown.length, n, 'one message line per journaled protocol message');
  for (const e of events) assert.equal(e.record, undefined, 'no raw trace record in --json');
}

test('vc watch --json during vc scenario run --nats: every actor by name, every message', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const dir = await mkdtemp(join(tmpdir(), 'vc-watch-'));
  const server = await startNatsServer();
  let watch: Watcher | undefined;
  try {
    // The JetStream journal, as vc host and vc verifier create it: what the watch is checked against.
    const admin = await NatsTransport.connect({ servers: server.url, name: 'test-stream' });
    await ensureJournalStream(admin.connection);
    await admin.close();
    watch = await startWatch(['--nats', server.url]);
    const io = captureIo();
    const args = ['scenario', 'run', 'shamir', '--nats', server.url, '--json'];
    const ran = await main([...args, '--journal', join(dir, 'journal.vcj')], io);
    assert.equal(ran, 0, io.stdout.join(''));
    const report = JSON.parse(io.stdout.join('')) as {
      computation: string;
      rounds: { outcomes: { party: string }[] }[];
    };
    const expected = await journaledOnceEnded(server.url, watch, report.computation);
    assert.equal(await watch.stop(), 0, 'vc watch exits 0 on SIGTERM');
    assertSameMessages(watch.events, report.computation, expected);
    const parties = report.rounds.flatMap((r) => r.outcomes.map((o) => o.party));
    assert.ok(parties.length >= 4);
    for (const party of parties) {
      const states = statesOf(watch.events, party);
      assert.ok(states.includes('checking'), `${party}: ${states.join(' ')}`);
      assert.ok(states.includes('done'), `${party}: ${states.join(' ')}`);
    }
    const enclave = statesOf(watch.events, 'enclave');
    for (const state of ['keying', 'appraising', 'serving.idle', 'serving.executing', 'shutDown'])
      assert.ok(enclave.includes(state), `enclave ${state}: ${enclave.join(' ')}`);
    assert.ok(statesOf(watch.events, 'verifier').includes('issued'));
    assert.ok(statesOf(watch.events, 'host').includes('running'));
  } finally {
    await watch?.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('vc watch --json during the step-by-step CLI flow: names, messages and a refusal code', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const dir = await mkdtemp(join(tmpdir(), 'vc-watch-'));
  const server = await startNatsServer();
  let deployment: CliDeployment | undefined;
  let watch: Watcher | undefined;
  let late: Watcher | undefined;
  try {
    deployment = await startCliDeployment(dir, server.url);
    const { policyFile } = deployment;
    watch = await startWatch(['--nats', server.url]);
    const vc = async (args: string[]) => {
      const io = captureIo();
      const code = await main([...args, '--nats', server.url], io);
      return { code, out: io.stdout.join(''), err: io.stderr.join('\n') };
    };
    const launch = await vc(['launch', policyFile, ...deployment.identityArgs('owner')]);
    assert.equal(launch.code, 0, launch.err);
    const computation = launch.out.trim();
    // Started after the launch: names come from --policy; filtered to one party.
    late = await startWatch([
      ...['--nats', server.url, '--policy', policyFile, '--actor', 'data'],
      ...['--computation', computation.slice(0, 12)],
    ]);
    const data = ['client', policyFile, ...deployment.identityArgs('data')];
    const provided = await vc([
      ...data,
      '--data',
      `/input/linear-regression.dat=${deployment.inputFile}`,
    ]);
    assert.equal(provided.code, 0, provided.err);
    // The data owner may not execute the program: the enclave refuses, on the bus.
    const refused = await vc([...data, '--compute', '/program/lr.wasm']);
    assert.equal(refused.code, 1);
    const owner = ['client', policyFile, ...deployment.identityArgs('owner')];
    const ran = await vc([
      ...owner,
      ...['--program', `/program/lr.wasm=${deployment.programFile}`],
      ...['--compute', '/program/lr.wasm', '--shutdown'],
    ]);
    assert.equal(ran.code, 0, ran.err);

    const expected = await journaledOnceEnded(server.url, watch, computation);
    const code = await watch.stop();
    assert.equal(code, 0, 'vc watch exits 0 on SIGTERM');
    assertSameMessages(watch.events, computation, expected);
    const events = watch.events.filter((e) => e.computation === computation);
    const actors = new Set(events.map((e) => e.actor));
    assert.equal(new Set(events.map((e) => e.run)).size, 1, 'one launch, one run');
    for (const actor of ['owner', 'data', 'enclave', 'verifier', 'host'])
      assert.ok(actors.has(actor), `${actor} among ${[...actors].join(', ')}`);
    assert.ok(statesOf(events, 'enclave').includes('serving.executing'));
    assert.ok(statesOf(events, 'data').includes('done'));
    const refusal = events.find((e) => e.type === 'message' && e.code === 'ERR_ACCESS_DENIED');
    assert.ok(refusal, 'the refusal is shown with its code');
    assert.equal(refusal.actor, 'enclave');
    assert.equal(refusal.to, 'data');

    await until(() => late!.events.some((e) => e.code === 'ERR_ACCESS_DENIED'));
    assert.equal(await late.stop(), 0);
    assert.ok(late.events.length > 0);
    for (const e of late.events) {
      assert.ok(e.actor === 'data' || e.to === 'data', JSON.stringify(e));
      assert.equal(e.computation, computation);
    }
    assert.ok(statesOf(late.events, 'data').includes('checking'), 'named from --policy');
  } finally {
    await watch?.stop();
    await late?.stop();
    deployment?.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('vc watch refuses a bad command line and an unreadable --policy before connecting', async () => {
  assert.equal(await main(['watch', 'extra'], captureIo()), 2);
  assert.equal(await main(['watch', '--computation', ''], captureIo()), 2);
  const io = captureIo();
  assert.equal(await main(['watch', '--policy', join(tmpdir(), 'no-such-policy.json')], io), 1);
  assert.match(io.stderr.join(''), /ERR_POLICY_FILE/);
});
