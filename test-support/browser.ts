// Headless Chromium for tests that open a page (the timeline page, `vc inspect`): Debian's
// `chromium` driven through playwright-core. A missing browser is a `requireResource` gap: a loud
// skip on a developer's machine, a failure under CI (.ci/run installs the `chromium` package).
//
// Waiting on a page: always give `page.waitForFunction` a function, never a string expression
// (eslint.config.js refuses one). Playwright evaluates a string with `eval` in the page on every
// poll after the first, and our pages' Content-Security-Policy has no 'unsafe-eval': the wait then
// fails at once with an EvalError instead of waiting, whenever the page was not already there at
// the first look (a live page a Server-Sent Event behind, under load).
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireResource } from './requirements.js';

/** Where the browser is: $VC_CHROMIUM, else Debian's /usr/bin/chromium. */
const chromiumPath = process.env['VC_CHROMIUM'] ?? '/usr/bin/chromium';

function hasChromium(): boolean {
  return existsSync(chromiumPath);
}

/**
 * Launches headless Chromium for this test and closes it when the test ends; undefined (the test
 * skipped) when the browser is absent outside CI.
 */
export async function launchChromium(t: TestContext): Promise<Browser | undefined> {
  if (!requireResource(t, `chromium (${chromiumPath}; apt-get install chromium)`, hasChromium()))
    return undefined;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox'],
  });
  t.after(() => browser.close());
  return browser;
}

/** What the waits below use of a page's globals (the project compiles without the DOM's types). */
interface PageGlobals {
  readonly document: {
    querySelectorAll(selector: string): { readonly length: number };
    getElementById(id: string): { readonly textContent: string | null } | null;
  };
}

/**
 * Waits until the page holds exactly `count` elements matching `selector` (what a live page shows
 * once its Server-Sent Events have caught up); rejects after `timeoutMs` (default 30 s).
 */
export async function waitForCount(
  page: Page,
  selector: string,
  count: number,
  timeoutMs = 30_000,
): Promise<void> {
  await page.waitForFunction(
    ([s, n]) => (globalThis as unknown as PageGlobals).document.querySelectorAll(s).length === n,
    [selector, count] as const,
    { timeout: timeoutMs },
  );
}
