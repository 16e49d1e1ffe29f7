// `vc` start (issue 17): wall time of `vc --help` and `vc policy hash FILE` run from the prebuilt
// bundles (dist/cli/, cli/bundle.ts) and, for comparison, from the sources through tsx (as before
// the bundles, and as bin/vc.mjs still does once a source is newer than the bundles), interleaved
// with a bare `node -e 0` start measured in the same run.
// Writes the `cli-start` section of docs/benchmarks.md. Run: npm run bench -- cli-start
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildCliBundle } from '../cli/index.js';
import { loadLine, machineLine, percentile, writeBenchSection } from './report.js';

const RUNS = Number(process.env['VC_BENCH_RUNS'] ?? 15);
const vc = fileURLToPath(new URL('../bin/vc.mjs', import.meta.url));
const policy = fileURLToPath(new URL('../scenarios/example/policy.json', import.meta.url));
const TARGET_MS = 150;

/** Milliseconds from spawn to exit of `node ...args`; fails unless it exits 0. */
function timeProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore', env });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(performance.now() - start)
        : reject(new Error(`node ${args.join(' ')} exited with ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const loadBefore = loadLine();
  // The bench's own bundles, built now from the sources as they are.
  const dir = mkdtempSync(join(tmpdir(), 'vc-bench-cli-'));
  const bundles = await buildCliBundle({ outDir: join(dir, 'cli') });
  const fromBundles = { ...process.env, VC_CLI_BUNDLE_DIR: bundles };
  const fromSources = { ...process.env, VC_CLI_BUNDLE_DIR: join(dir, 'none') };
  const cases = [
    { name: 'bare', args: ['-e', '0'], env: process.env },
    { name: 'help', args: [vc, '--help'], env: fromBundles },
    { name: 'hash', args: [vc, 'policy', 'hash', policy], env: fromBundles },
    { name: 'helpTsx', args: [vc, '--help'], env: fromSources },
    { name: 'hashTsx', args: [vc, 'policy', 'hash', policy], env: fromSources },
  ];
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  // One of each first, not counted: the file system cache and tsx's own cache warm up.
  for (const c of cases) await timeProcess(c.args, c.env);
  for (let i = 0; i < RUNS; i++)
    for (const c of cases) times.get(c.name)!.push(await timeProcess(c.args, c.env));
  rmSync(dir, { recursive: true, force: true });

  const ms = (n: number): string => `${n.toFixed(1)} ms`;
  const bare = times.get('bare')!;
  const row = (what: string, name: string): string => {
    const t = times.get(name)!;
    const p50 = percentile(t, 50);
    const base = percentile(bare, 50);
    return `| ${what} | ${ms(p50)} | ${ms(percentile(t, 95))} | ${ms(base)} | ${(p50 / base).toFixed(1)}x | ${ms(p50 - base)} |`;
  };
  const load = `(1 / 5 / 15 min) ${loadBefore} at the start, ${loadLine()} at the end`;
  const summary = (key: 'vc-help' | 'vc-policy-hash', name: string) => {
    const p50 = percentile(times.get(name)!, 50);
    return {
      key,
      now: ms(p50),
      ratio: `${(p50 / percentile(bare, 50)).toFixed(1)}x \`node -e 0\``,
      met: p50 <= TARGET_MS,
    };
  };
  writeBenchSection(
    'cli-start',
    `## \`vc\` start (\`bench/cli-start.bench.ts\`)

${await machineLine()}, ${new Date().toISOString().slice(0, 10)}. ${RUNS} runs of each, interleaved with a bare \`node -e 0\` start in the same run. Load average: ${load}. Wall time from spawn to exit.

\`bin/vc.mjs\` runs the prebuilt bundles of \`dist/cli/\` (built by \`npm ci\`/\`npm run build\`: one per command, \`cli/bundle.ts\`) while they are fresh, else the sources through tsx.

| command | p50 | p95 | \`node -e 0\`, p50 (same run) | ratio | above \`node -e 0\` |
|---|---|---|---|---|---|
${row('`vc --help`, prebuilt bundle (`main.mjs`: loads no command)', 'help')}
${row('`vc policy hash FILE`, prebuilt bundle (`command-policy.mjs`)', 'hash')}
${row('for comparison, `vc --help` from the sources through tsx (stale or missing bundles)', 'helpTsx')}
${row('for comparison, `vc policy hash FILE` from the sources through tsx', 'hashTsx')}

Target (issue 17): \`vc --help\` ≤ ${TARGET_MS} ms.`,
    [summary('vc-help', 'help'), summary('vc-policy-hash', 'hash')],
  );
  console.log(
    `help ${ms(percentile(times.get('help')!, 50))}, policy hash ${ms(percentile(times.get('hash')!, 50))}, tsx ${ms(percentile(times.get('helpTsx')!, 50))} / ${ms(percentile(times.get('hashTsx')!, 50))}, node -e 0 ${ms(percentile(bare, 50))}`,
  );
}

await main();
process.exit(0);
