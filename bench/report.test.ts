import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withSummary } from './report.js';

const section = (name: string, rows: object[]): string =>
  `<!-- bench:${name} -->\n## ${name} section\n\nbody\n<!-- summary-rows ${JSON.stringify(rows)} -->\n<!-- /bench:${name} -->`;

test('the summary table lists every row of the issue, measured or not, after the header', () => {
  const document = `# Benchmark results\n\nheader\n\n${section('cli-start', [
    { key: 'vc-help', now: '1000.0 ms', ratio: '10.0x `node -e 0`', met: false },
  ])}\n`;
  const out = withSummary(document);
  assert.ok(out.startsWith('# Benchmark results\n\nheader\n\n<!-- bench:summary -->'));
  assert.match(
    out,
    /\| `vc --help` wall time \| about 1 s \| 1000\.0 ms \| ≤ 150 ms \| 10\.0x `node -e 0` \*\*missed\*\* \| \[cli-start\]\(#cli-start-section\) \|/,
  );
  assert.match(
    out,
    /\| sustained computations\/s, four workers, NATS \| 11\.1 \/s \| not measured/,
  );
  assert.equal(out.split('\n').filter((l) => l.startsWith('| ')).length, 12); // header + 11 rows
});

test('rebuilding the summary replaces it, and the first section to report a row wins', () => {
  const document = `# R\n\n${section('a', [{ key: 'rate', now: '1 /s', met: false }])}\n\n${section(
    'b',
    [{ key: 'rate', now: '2 /s', met: true }],
  )}\n`;
  const once = withSummary(document);
  assert.equal(withSummary(once), once);
  assert.equal(once.split('<!-- bench:summary -->').length, 2);
  assert.match(once, /\| 1 \/s \|/);
  assert.doesNotMatch(once, /\| 2 \/s \|/);
});
