// `vc inspect` in headless Chromium: a private nats-server with the journal stream, `vc inspect` as
// a process, the page open while a scenario runs over that server; the live DOM must show the
// computation, a lane per actor named as the policy names it, one arrow per message the journal
// holds, and a message's body on click. A second `vc inspect` started afterwards reads the same run
// back from JetStream. Set VC_SCREENSHOTS=1 to refresh docs/images/inspect.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  JetStreamJournalReader,
  NatsTransport,
  decodePlain,
  ensureJournalStream,
  natsServerBinary,
  startNatsServer,
} from '../../transport/index.js';
import { findScenario } from '../../scenarios/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { launchChromium, waitForCount } from '../../test-support/browser.js';
import type { Page } from 'playwright-core';
import { captureIo } from '../command.js';
import { main } from '../main.js';

const vc = fileURLToPath(new URL('../../bin/vc.mjs', import.meta.url));
const imagesDir = fileURLToPath(new URL('../../docs/images/', import.meta.url));
const SCENARIO = 'shamir';

interface Inspect {
  readonly url: string;
  readonly child: ChildProcessWithoutNullStreams;
}

/** Starts `vc inspect --port 0 --json` and reads the URL it prints. */
async function startInspect(nats: string): Promise<Inspect> {
  const child = spawn(process.execPath, [vc, 'inspect', '--nats', nats, '--port', '0', '--json'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line && stdout.includes('\n')) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`vc inspect exited ${code}: ${stderr}`)));
  });
  return { url, child };
}

async function stopInspect(inspect: Inspect): Promise<number | null> {
  if (inspect.child.exitCode !== null) return inspect.child.exitCode;
  const exited = new Promise<number | null>((resolve) => inspect.child.once('exit', resolve));
  inspect.child.kill('SIGTERM');
  return exited;
}

/** One protocol message of the journal: its stream position and kind. */
interface JournalMessage {
  readonly seq: number;
  readonly kind: string;
}

/**
 * The journal's protocol messages of one computation, counted apart from the decoder: envelopes
 * (records with a kind; liveness answers on reply inboxes are not) other than trace records.
 */
async function journalMessages(bus: NatsTransport, computation: string): Promise<JournalMessage[]> {
  const messages: JournalMessage[] = [];
  for await (const record of new JetStreamJournalReader(bus.connection).records()) {
    let envelope: { kind?: unknown; computation?: unknown };
    try {
      envelope = decodePlain(record.data) as typeof envelope;
    } catch {
      continue; // an empty reply, not an envelope
    }
    const { kind } = envelope;
    if (
      envelope.computation === computation &&
      typeof kind === 'string' &&
      !kind.startsWith('trace.')
    )
      messages.push({ seq: record.seq, kind });
  }
  return messages;
}

/**
 * Why the page's arrows are not the journal's messages: the kinds the page lacks (or has too many
 * of), the runs it lists, its arrows' titles (`sender → recipient: kind`) and the journal's
 * messages, so that a failure names the message that went missing and where it went.
 */
async function arrowsReport(page: Page, messages: readonly JournalMessage[]): Promise<string> {
  const titles = await page.locator('.arrow title').allTextContents();
  const runs = await page.locator('#runs li').allTextContents();
  const left = new Map<string, number>();
  for (const m of messages) left.set(m.kind, (left.get(m.kind) ?? 0) + 1);
  for (const title of titles) {
    const kind = title.slice(title.lastIndexOf(': ') + 2);
    left.set(kind, (left.get(kind) ?? 0) - 1);
  }
  const differs = [...left].filter(([, n]) => n !== 0);
  return [
    `${titles.length} arrows, ${messages.length} messages in the journal`,
    `missing from the page (negative: extra): ${differs.map(([k, n]) => `${k} ×${n}`).join(', ') || 'none by kind'}`,
    `runs listed: ${runs.join(' | ')}`,
    `arrows: ${titles.join('; ')}`,
    `journal: ${messages.map((m) => `#${m.seq} ${m.kind}`).join('; ')}`,
  ].join('\n');
}

test('vc inspect shows a scenario live in Chromium: lanes by name, one arrow per message, bodies on click', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const browser = await launchChromium(t);
  if (!browser) return;
  const server = await startNatsServer();
  const bus = await NatsTransport.connect({ servers: server.url, name: 'inspect-test' });
  const dir = mkdtempSync(join(tmpdir(), 'vc-inspect-'));
  const started: Inspect[] = [];
  try {
    await ensureJournalStream(bus.connection);
    const inspect = await startInspect(server.url);
    started.push(inspect);
    assert.match(inspect.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(inspect.url);
    await page.waitForSelector('#runs', { state: 'attached' });

    const io = captureIo();
    const args = ['scenario', 'run', SCENARIO, '--nats', server.url, '--json'];
    assert.equal(await main([...args, '--journal', join(dir, 'run.vcj')], io), 0);
    const report = JSON.parse(io.stdout.join('')) as { ok: boolean; computation: string };
    assert.equal(report.ok, true);
    const messages = await journalMessages(bus, report.computation);
    assert.ok(messages.length > 10, `the journal holds the run's messages (${messages.length})`);

    const entry = page.locator(`#runs [data-computation="${report.computation}"]`).first();
    await entry.waitFor();
    await entry.click();
    // Generous: under load the page's Server-Sent Events can trail the run by seconds.
    await waitForCount(page, '.arrow', messages.length, 30_000).catch(async (error: unknown) => {
      // The reporter does not print a cause: what ended the wait (a timeout, or else) goes first.
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new Error(`${why}\n${await arrowsReport(page, messages)}`, { cause: error });
    });
    const names = [
      ...findScenario(SCENARIO)!
        .plan(1)
        .parties.map((p) => p.name),
      'enclave',
      'verifier',
      'host',
    ];
    for (const name of names)
      assert.equal((await page.locator(`[data-lane="${name}"]`).count()) > 0, true, `lane ${name}`);

    await page.locator('.arrow').first().click();
    await page.locator('#detail', { hasText: messages[0]!.kind }).waitFor();
    const detail = await page.locator('#detail').textContent();
    assert.match(detail ?? '', /"policy"/, 'the launch request shows its body');
    await page.evaluate(`document.querySelector('main').scrollLeft = 0`);
    const shot = join(process.env['VC_SCREENSHOTS'] === '1' ? imagesDir : dir, 'inspect.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000);

    // Opened after the run, inspect reads it back from the journal stream.
    const later = await startInspect(server.url);
    started.push(later);
    const runs = (await (await fetch(new URL('runs', later.url))).json()) as {
      computation: string;
      messages: number;
      finished: boolean;
      lanes: string[];
    }[];
    const run = runs.find((r) => r.computation === report.computation);
    assert.deepEqual(
      [run?.messages, run?.finished, names.every((n) => run?.lanes.includes(n))],
      [messages.length, true, true],
    );
  } finally {
    for (const inspect of started) assert.equal(await stopInspect(inspect), 0);
    await bus.close().catch(() => undefined);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vc inspect refuses a taken port (ERR_PORT_IN_USE) and an unreachable NATS server', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer();
  let inspect: Inspect | undefined;
  try {
    inspect = await startInspect(server.url);
    const port = new URL(inspect.url).port;
    const taken = captureIo();
    const args = ['inspect', '--nats', server.url, '--port', port, '--json'];
    assert.equal(await main(args, taken), 1);
    assert.equal(
      (JSON.parse(taken.stdout.join('')) as { error: { code: string } }).error.code,
      'ERR_PORT_IN_USE',
    );
    const unreachable = captureIo();
    const nowhere = ['inspect', '--nats', 'nats://127.0.0.1:1', '--port', '0', '--json'];
    assert.equal(await main(nowhere, unreachable), 1);
    assert.match(unreachable.stdout.join(''), /ERR_NATS_UNREACHABLE/);
    assert.equal(await main(['inspect', '--port', 'x'], captureIo()), 2);
  } finally {
    if (inspect) assert.equal(await stopInspect(inspect), 0);
    await server.stop();
  }
});
