// Benchmarks write their results into docs/benchmarks.md, each into its own section between markers,
// so several benchmark scripts can share one results file without overwriting each other.
// A section may also carry summary rows (the rows of issue 17's table it measures), kept as a JSON
// comment inside the section; after every write the summary table at the top of the file is rebuilt
// from all sections' rows, so it always shows the latest measurement of each row.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';

export { percentile } from '../scenarios/index.js';

const resultsFile = new URL('../docs/benchmarks.md', import.meta.url);
const header =
  '# Benchmark results\n\nWritten by the scripts in `bench/` (`npm run bench`); each section names its script, ' +
  'machine and date. Ratios are against a baseline measured in the same run.\n';

/**
 * The rows of the summary table (issue 17's table), in its order: the issue's target, its figure
 * before the issue's changes, and the section expected to measure each.
 */
const summaryRows = {
  rate: {
    what: 'sustained computations/s, four workers, NATS',
    target: '≥ 30 /s',
    before: '11.1 /s',
    section: 'protocol',
  },
  'p50-embedded': {
    what: 'full computation p50, embedded',
    target: '≤ 40 ms',
    before: '106 ms',
    section: 'protocol',
  },
  'p50-nats': {
    what: 'full computation p50, NATS',
    target: '≤ 60 ms',
    before: '110 ms',
    section: 'protocol',
  },
  upload: {
    what: '100 MiB sealed upload over NATS vs raw request/reply, same chunks',
    target: '≥ 0.5x',
    before: '13.6 vs 91.2 MiB/s (0.15x)',
    section: 'protocol',
  },
  'request-reply': {
    what: 'signed request/reply p50 vs raw NATS, small message',
    target: '≤ 1.5x',
    before: '2.0x',
    section: 'transport',
  },
  'result-size': {
    what: 'result size (largest result read back)',
    target: 'any size up to the quota, streamed',
    before: 'about 1 MiB (one message)',
    section: 'protocol',
  },
  'worker-launch': {
    what: 'enclave worker as its own process: launch',
    target: '≤ 300 ms',
    before: 'about 1.9 s',
    section: 'enclave-start',
  },
  'vc-help': {
    what: '`vc --help` wall time',
    target: '≤ 150 ms',
    before: 'about 1 s',
    section: 'cli-start',
  },
  'vc-policy-hash': {
    what: '`vc policy hash` wall time',
    target: '≤ 150 ms',
    before: '0.5 s',
    section: 'cli-start',
  },
  'js-first-run': {
    what: 'JS component first run',
    target: '≤ 1.5 s with a warm on-disk cache',
    before: '6.7 s (13.4 s for the JS guest)',
    section: 'component',
  },
  'guest-compute': {
    what: 'guest compute vs native gcc (worst kernel)',
    target: '≤ 1.3x',
    before: 'sha256 1.31x (not in the issue; the sandbox section before)',
    section: 'sandbox',
  },
} as const;

type SummaryKey = keyof typeof summaryRows;

/** One measured row of the summary table. */
export interface SummaryRow {
  readonly key: SummaryKey;
  /** The measurement, with its unit (and its baseline when there is one: "13.6 vs 91.2 MiB/s"). */
  readonly now: string;
  /** Whether the target is met; undefined when the row has no numeric target. */
  readonly met: boolean | undefined;
  /** The ratio against the same run's baseline ("0.15x raw NATS"), when the row has one. */
  readonly ratio?: string;
}

const summaryBegin = '<!-- bench:summary -->';
const summaryEnd = '<!-- /bench:summary -->';
const rowsComment = /<!-- summary-rows (.*?) -->/g;

/** Replaces (or appends) the section `name` of docs/benchmarks.md with `markdown`, then rebuilds the summary. */
export function writeBenchSection(
  name: string,
  markdown: string,
  summary: readonly SummaryRow[] = [],
): void {
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const current = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : header;
  const rows = summary.length > 0 ? `\n<!-- summary-rows ${JSON.stringify(summary)} -->` : '';
  const block = `${begin}\n${markdown.trim()}${rows}\n${end}`;
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  const next =
    start >= 0 && stop > start
      ? current.slice(0, start) + block + current.slice(stop + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(resultsFile, withSummary(next));
}

/** The document with its summary table (after the header) rebuilt from the sections' summary rows. */
export function withSummary(document: string): string {
  const start = document.indexOf(summaryBegin);
  const stop = document.indexOf(summaryEnd);
  const body =
    start >= 0 && stop > start
      ? document.slice(0, start) + document.slice(stop + summaryEnd.length).replace(/^\n+/, '')
      : document;
  const measured = new Map<SummaryKey, { row: SummaryRow; section: string }>();
  for (const section of body.matchAll(/<!-- bench:([\w-]+) -->([\s\S]*?)<!-- \/bench:\1 -->/g)) {
    for (const comment of (section[2] ?? '').matchAll(rowsComment)) {
      for (const row of JSON.parse(comment[1] ?? '[]') as SummaryRow[])
        if (row.key in summaryRows && !measured.has(row.key))
          measured.set(row.key, { row, section: section[1] ?? '' });
    }
  }
  const verdict = (met: boolean | undefined): string =>
    met === undefined ? '' : met ? 'met' : '**missed**';
  const lines = Object.entries(summaryRows).map(([key, spec]) => {
    const found = measured.get(key as SummaryKey);
    if (found === undefined)
      return `| ${spec.what} | ${spec.before} | not measured (expected from \`bench/${spec.section}.bench.ts\`) | ${spec.target} | | |`;
    const { row, section } = found;
    const ratio = row.ratio === undefined ? '' : `${row.ratio} `;
    return `| ${spec.what} | ${spec.before} | ${row.now} | ${spec.target} | ${ratio}${verdict(row.met)} | [${section}](#${anchorOf(body, section)}) |`;
  });
  const table = [
    summaryBegin,
    "## Summary (issue 17's table)",
    '',
    "Rebuilt from the sections below whenever a benchmark writes its section; each row's figure and ratio come from the run that wrote that section (see its date and load average). 'Issue 17 (before)' is the figure the issue quotes, measured on `main` before its changes.",
    '',
    '| row | issue 17 (before) | now | target | ratio / met? | section |',
    '|---|---|---|---|---|---|',
    ...lines,
    summaryEnd,
  ].join('\n');
  const firstSection = body.search(/<!-- bench:/);
  return firstSection < 0
    ? `${body.trimEnd()}\n\n${table}\n`
    : `${body.slice(0, firstSection)}${table}\n\n${body.slice(firstSection)}`;
}

/** GitHub's anchor of the first heading of a section. */
function anchorOf(document: string, section: string): string {
  const at = document.indexOf(`<!-- bench:${section} -->`);
  const heading = /^#+ (.*)$/m.exec(document.slice(at))?.[1] ?? section;
  return heading
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
}

/** The 1, 5 and 15 minute load averages, for result headers. */
export function loadLine(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
}

/** A one-line description of the machine, for result headers. */
export async function machineLine(): Promise<string> {
  const os = await import('node:os');
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}
