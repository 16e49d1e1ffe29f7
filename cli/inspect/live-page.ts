// The page `vc inspect` serves: the timeline page (cli/page/) in live mode, listening to the
// server's Server-Sent Events, with each run as the page's `PageRun` JSON.
import { toPageRun } from '../page/page-run.js';
import { renderTimelinePage } from '../page/timeline-page.js';
import type { LivePage } from './inspect-server.js';

export const livePage: LivePage = {
  render: (runs, eventsUrl) =>
    renderTimelinePage({ runs: runs.map(toPageRun), live: { eventsUrl } }),
  toPageRun,
};
