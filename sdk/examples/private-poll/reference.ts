// Reference for private-poll: tally valid ballots, publish only options with at least k votes.
import { files, fromUtf8, utf8, type ExampleRun, type GuestFiles } from '../support/types.js';

function ballot(data: Uint8Array): string | undefined {
  const text = fromUtf8(data).replace(/\n$/, '');
  return text === '' || /[,\n\r\0]/.test(text) ? undefined : text;
}

export function reference(run: ExampleRun): GuestFiles {
  const threshold = run.files.get('/input/poll-threshold.dat');
  const k = threshold ? Number.parseInt(fromUtf8(threshold), 10) : 5;
  const tally = new Map<string, number>();
  for (const [path, data] of run.files) {
    if (!path.startsWith('/input/votes/')) continue;
    const choice = ballot(data);
    if (choice !== undefined) tally.set(choice, (tally.get(choice) ?? 0) + 1);
  }
  const published = [...tally]
    .filter(([, count]) => count >= k)
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return files([
    ['/output/poll.dat', utf8(published.map(([option, count]) => `${option},${count}\n`).join(''))],
  ]);
}
