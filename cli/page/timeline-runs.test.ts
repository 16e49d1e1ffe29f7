// The timeline page with several runs, and in live mode (the contract `vc inspect` builds on): runs
// arriving as Server-Sent Events `{type:'run', run}` are listed, the selection is kept, and an
// updated run is redrawn. Runs here are small hand-made PageRuns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium, waitForCount } from '../../test-support/browser.js';
import type { PageRun } from './page-run.js';
import { renderTimelinePage } from './timeline-page.js';

/** A run: the enclave keys, then `messages` hellos from alice, the last one refused. */
function fakeRun(computation: string, run: string, start: number, messages: number): PageRun {
  const events: PageRun['events'][number][] = [
    {
      type: 'transition',
      seq: 1,
      time: start,
      actor: 'enclave',
      traceActor: 'enclave',
      machine: 'enclave',
      index: 0,
      event: 'xstate.init',
      state: 'keying',
      stateValue: '"keying"',
      paths: ['keying'],
      outputs: ['do.keys'],
      code: null,
      context: { session: 's1' },
      verified: true,
    },
  ];
  for (let i = 0; i < messages; i++)
    events.push({
      type: 'message',
      seq: i + 2,
      time: start + 10 * (i + 1),
      actor: i === 0 ? 'enclave' : 'alice',
      to: i === 0 ? null : 'enclave',
      kind: i === 0 ? 'enclave.ready' : 'session.hello',
      subject: `vc.c.${computation}.enclave`,
      size: 100 + i,
      body: { nonce: `n${i}` },
      code: i === messages - 1 ? 'ERR_ACCESS_DENIED' : null,
      inReplyTo: null,
      verified: true,
    });
  return {
    computation,
    run,
    number: 1,
    policyHash: null,
    lanes: [
      { name: 'alice', role: 'participant' },
      { name: 'enclave', role: 'enclave' },
    ],
    start,
    end: events.at(-1)!.time,
    messageCount: messages,
    events,
    divergences: [],
  };
}

const older = fakeRun('p1111', 'r1', 1_000_000, 3);
const newer = fakeRun('p2222', 'r2', 2_000_000, 5);

test('the page lists every run, opens the latest, and another on click', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const dir = mkdtempSync(join(tmpdir(), 'vc-page-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'runs.html');
  writeFileSync(file, renderTimelinePage({ runs: [newer, older] }));
  const page = await browser.newPage();
  await page.goto(pathToFileURL(file).href);
  assert.equal(await page.locator('#runs li').count(), 2);
  assert.equal(await page.locator('#runs li.active').getAttribute('data-run'), 'r2');
  assert.equal(await page.locator('.arrow').count(), 5);
  assert.equal(await page.locator('.arrow.announcement').count(), 1);
  assert.equal(await page.locator('.refusal[data-code="ERR_ACCESS_DENIED"]').count(), 1);
  await page.locator('#runs li[data-computation="p1111"][data-run="r1"]').click();
  assert.equal(await page.locator('#runs li.active').getAttribute('data-run'), 'r1');
  assert.equal(await page.locator('.arrow').count(), 3);
  await page.locator('circle.transition').click();
  assert.match((await page.locator('#detail').textContent()) ?? '', /"session": "s1"/);
});

test('live mode: runs from Server-Sent Events are added and redrawn, the selection kept', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const streams: ServerResponse[] = [];
  const html = (eventsUrl: string): string => renderTimelinePage({ runs: [], live: { eventsUrl } });
  const server = createServer((request, response) => {
    if (request.url === '/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.write(': open\n\n');
      streams.push(response);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html('/events'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of streams) s.end();
    server.closeAllConnections();
    server.close();
  });
  const send = (run: PageRun): void => {
    for (const s of streams) s.write(`data: ${JSON.stringify({ type: 'run', run })}\n\n`);
  };
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.locator('#live-status', { hasText: /^live$/ }).waitFor();
  assert.equal(await page.locator('#runs li').count(), 0);

  send(older);
  await page.waitForSelector('#runs li[data-run="r1"].active');
  assert.equal(await page.locator('.arrow').count(), 3);
  send(newer);
  await page.waitForSelector('#runs li[data-run="r2"]');
  assert.equal(await page.locator('#runs li.active').getAttribute('data-run'), 'r1', 'kept');
  send(fakeRun('p1111', 'r1', 1_000_000, 7));
  await waitForCount(page, '.arrow', 7);
  assert.equal(await page.locator('#runs li').count(), 2, 'replaced, not added');
});
