// The timeline page in headless Chromium: a scenario's journal becomes a page, and the DOM shows a
// lane per actor by policy name, one arrow per protocol message, bodies and contexts on click.
// Set VC_SCREENSHOTS=1 to refresh docs/images/timeline*.png (docs/observability.md shows them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { decodePlain, FileJournal, parseJournal } from '../../transport/index.js';
import { FLAGSHIP, findScenario } from '../../scenarios/index.js';
import { launchChromium } from '../../test-support/browser.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';

const imagesDir = fileURLToPath(new URL('../../docs/images/', import.meta.url));

/**
 * Protocol messages of one computation, counted from the raw journal: envelopes (they name their
 * kind) of that computation, trace records excluded. Liveness pings and their answers (no kind)
 * are not protocol messages.
 */
function messageCount(journal: string, computation: string): number {
  return parseJournal(readFileSync(journal)).records.filter((record) => {
    let envelope: { kind?: unknown; computation?: unknown };
    try {
      envelope = decodePlain(record.data) as typeof envelope;
    } catch {
      return false; // not an envelope
    }
    return (
      envelope.computation === computation &&
      typeof envelope.kind === 'string' &&
      !envelope.kind.startsWith('trace.')
    );
  }).length;
}

/** Opens a file:// page; any request that leaves the file fails the test (the page is self-contained). */
async function openOffline(page: Page, file: string): Promise<string[]> {
  const outside: string[] = [];
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(pathToFileURL(file).href);
  assert.deepEqual(errors, []);
  return outside;
}

test(`vc replay --html: the ${FLAGSHIP} timeline page in Chromium (lanes, arrows, body and context on click)`, async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const dir = mkdtempSync(join(tmpdir(), 'vc-page-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const journal = join(dir, 'run.vcj');
  const run = captureIo();
  assert.equal(
    await main(['scenario', 'run', FLAGSHIP, '--journal', journal, '--json'], run),
    0,
    run.stderr.join('\n'),
  );
  const { computation } = JSON.parse(run.stdout.join('')) as { computation: string };
  const file = join(dir, 'timeline.html');
  const io = captureIo();
  assert.equal(await main(['replay', journal, '--html', file], io), 0, io.stderr.join('\n'));
  assert.match(io.stdout.join(''), /wrote .*timeline\.html: 1 run/);

  const page = await browser.newPage({ viewport: { width: 1800, height: 1000 } });
  assert.deepEqual(await openOffline(page, file), [], 'the page fetches nothing');

  const lanes = await page
    .locator('[data-lane]')
    .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-lane')));
  const parties = findScenario(FLAGSHIP)!
    .plan(1)
    .parties.map((p) => p.name);
  for (const actor of [...parties, 'enclave', 'host', 'verifier'])
    assert.ok(lanes.includes(actor), `a lane for ${actor} in ${lanes.join(', ')}`);
  const lane = page.locator(`[data-lane="${parties[0]}"]`);
  assert.match((await lane.textContent()) ?? '', new RegExp(parties[0]!));

  const expected = messageCount(journal, computation);
  assert.ok(expected > 10);
  assert.equal(await page.locator('.arrow').count(), expected);
  assert.equal(await page.locator('#runs [data-computation]').count(), 1);
  assert.equal(
    await page.locator('#runs li').first().getAttribute('data-computation'),
    computation,
  );
  if (process.env['VC_SCREENSHOTS'] === '1')
    await page.screenshot({ path: join(imagesDir, 'timeline.png') });

  // A message: its decoded body.
  await page.locator('.arrow', { hasText: 'enclave.ready' }).first().click();
  const message = (await page.locator('#detail').textContent()) ?? '';
  assert.match(message, /"kind": "enclave\.ready"/);
  assert.match(message, /"body": \{/);
  assert.match(message, /"session": "[0-9a-f]+"/);

  // A transition of the enclave: its state and the replayed context.
  const step = page.locator('circle.transition').nth(8);
  await step.click();
  const transition = (await page.locator('#detail').textContent()) ?? '';
  assert.match(transition, /"state": "/);
  assert.match(transition, /"context": \{/);
  assert.ok((await page.locator('.statechart .current').count()) > 0, 'the state is marked');
  assert.ok((await page.locator('.statechart .visited').count()) > 5, 'visited states marked');
  assert.equal(await page.locator('svg.statechart').count(), 4);

  // A state band opens the transition that entered it. (Dispatched on the band itself: an arrow
  // crossing its lane may lie over the band's centre, where a pointer click would land.)
  await page.locator('.band').first().dispatchEvent('click');
  assert.match((await page.locator('#detail').textContent()) ?? '', /"context"/);
  await page.locator('.arrow', { hasText: 'provision.data' }).first().click();
  // The chunk's bytes travel outside the journal; its message names them by digest and size.
  assert.match(
    (await page.locator('#detail').textContent()) ?? '',
    /"bulk"[\s\S]*"digest"/,
    'the bulk chunk named by its digest',
  );
  await page.locator('main').evaluate((main) => main.scrollTo({ left: 0 }));
  const shot = join(process.env['VC_SCREENSHOTS'] === '1' ? imagesDir : dir, 'timeline-detail.png');
  await page.screenshot({ path: shot });
  assert.ok(statSync(shot).size > 10_000);
});

test('vc replay --html refuses a journal with nothing to show (ERR_NOTHING_TO_REPLAY, exit 1)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-page-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const journal = join(dir, 'empty.vcj');
  FileJournal.open(journal).close();
  const file = join(dir, 'page.html');
  for (const extra of [[], ['--computation', 'p0123']]) {
    const io = captureIo();
    assert.equal(await main(['replay', journal, '--html', file, ...extra], io), 1);
    assert.match(io.stderr.join(''), /ERR_NOTHING_TO_REPLAY/);
    assert.throws(() => statSync(file), /ENOENT/, 'no page written');
  }
});
