// `vc replay JOURNAL --html FILE`: the timeline page of the journal's runs, written to FILE
// (overwritten if it exists: it is a view, regenerated at will).
import { writeFile } from 'node:fs/promises';
import type { RunJournal } from '../../actors/index.js';
import { checkOutputFile, outputError } from '../support.js';
import { toPageRun } from './page-run.js';
import { renderTimelinePage } from './timeline-page.js';

/** Writes the page for these runs; returns a one-line summary for the terminal. */
export async function writeTimelinePage(
  file: string,
  runs: readonly RunJournal[],
): Promise<string> {
  await checkOutputFile(file, { overwrite: true });
  const html = renderTimelinePage({ runs: runs.map(toPageRun) });
  await writeFile(file, html).catch((error: unknown) => {
    throw outputError(file, error);
  });
  const messages = runs.reduce((n, r) => n + r.messages.length, 0);
  return `wrote ${file}: ${runs.length} run(s), ${messages} messages (open it in a browser)`;
}
