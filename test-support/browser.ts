// Headless Chromium for tests that open a page (the timeline page, `vc inspect`): Debian's
// `chromium` driven through playwright-core. A missing browser is a `requireResource` gap: a loud
// skip on a developer's machine, a failure under CI (.ci/run installs the `chromium` package).
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
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
