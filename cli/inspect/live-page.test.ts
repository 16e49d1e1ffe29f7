// vc inspect's live page in headless Chromium when the page is a Server-Sent Event behind: a recorded
// run (scenarios/histories/shamir.vcj) is fed to the decoder behind a real inspect server but for its
// last message, and that message goes out at the very moment a test first counts the page's arrows
// and finds one missing. The page must draw it, and the wait must see it: Playwright polls again in
// the page, where the page's Content-Security-Policy refuses `eval` (test-support/browser.ts), so a
// wait written as a string expression fails here at once with an EvalError, as the Chromium test of
// `vc inspect` (cli/commands/inspect.test.ts) did under load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RunDecoder, readRuns, type RunRecord } from '../../actors/index.js';
import { parseJournal } from '../../transport/index.js';
import { launchChromium, waitForCount } from '../../test-support/browser.js';
import { startInspectServer } from './inspect-server.js';
import { livePage } from './live-page.js';

const HISTORY = new URL('../../scenarios/histories/shamir.vcj', import.meta.url);

/** What the page hook below touches of the page's globals (no DOM types in this project). */
interface HookedPage {
  readonly document: { querySelectorAll: (selector: string) => { readonly length: number } };
  readonly vcFirstLook: () => Promise<void>;
}

test('vc inspect live page: the last message, sent as the page is first checked, is drawn and seen', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const records: RunRecord[] = parseJournal(readFileSync(HISTORY)).records;
  const [run] = await readRuns(records);
  const last = records.at(-1)!;
  assert.equal(run!.messages.at(-1)?.seq, last.seq, 'the journal ends with a message');
  const decoder = new RunDecoder();
  for (const record of records.slice(0, -1)) await decoder.add(record);
  const server = await startInspectServer({
    host: '127.0.0.1',
    port: 0,
    runs: () => decoder.runs(),
    page: livePage,
  });
  t.after(() => server.close());

  const page = await browser.newPage();
  await page.goto(server.url);
  await page.locator('#live-status', { hasText: /^live$/ }).waitFor();
  const total = run!.messages.length;
  await waitForCount(page, '.arrow', total - 1);

  // The first time anything in the page counts the arrows, the last message is decoded and its run
  // sent: the wait below looks once, finds one arrow missing, and must look again.
  let sent: Promise<void> | undefined;
  await page.exposeFunction('vcFirstLook', () => {
    sent = decoder.add(last).then((events) => {
      for (const event of events) server.changed(event);
    });
  });
  await page.evaluate(() => {
    const hooked = globalThis as unknown as HookedPage;
    const count = hooked.document.querySelectorAll.bind(hooked.document);
    let armed = true;
    hooked.document.querySelectorAll = (selector) => {
      const found = count(selector);
      if (armed && selector === '.arrow') {
        armed = false;
        void hooked.vcFirstLook();
      }
      return found;
    };
  });
  await waitForCount(page, '.arrow', total);
  assert.ok(sent, 'the wait looked before the last message was sent');
  await sent;
  const titles = await page.locator('.arrow title').allTextContents();
  assert.equal(titles.length, total);
  assert.equal(titles.at(-1), `host → everyone listening: ${run!.messages.at(-1)!.kind}`);
});
