// CLI start (issue 17): wall time of `vc --help` and `vc policy hash <file>`, spawn to exit of
// `node bin/vc.mjs ...` (the installed `vc` entry, whatever it loads), interleaved with a bare
// `node -e 0` in the same run so all three see the same load.
// Writes the `cli-start` section of docs/benchmarks.md. Run: npm run bench -- cli-start
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadLine, machineLine, percentile, writeBenchSection } from './report.js';

const RUNS = Number(process.env['VC_BENCH_RUNS'] ?? 15);
const vc = fileURLToPath(new URL('../bin/vc.mjs', import.meta.url));
const policy = fileURLToPath(new URL('../scenarios/example/policy.json', import.meta.url));
const TARGET_MS = 150;

/** Milliseconds from spawn to exit of `node ...args`; fails if the command does not exit 0. */
function timeProcess(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(performance.now() - start)
        : reject(new Error(`node ${args.join(' ')} exited ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const loadBefore = loadLine();
  const commands = {
    bare: ['-e', '0'],
    help: [vc, '--help'],
    hash: [vc, 'policy', 'hash', policy],
  } as const;
  const times: Record<keyof typeof commands, number[]> = { bare: [], help: [], hash: [] };
  for (const args of Object.values(commands)) await timeProcess(args); // warm the file system cache
  for (let i = 0; i < RUNS; i++)
    for (const [name, args] of Object.entries(commands))
      times[name as keyof typeof commands].push(await timeProcess(args));

  const ms = (n: number): string => `${n.toFixed(1)} ms`;
  const base = percentile(times.bare, 50);
  const row = (what: string, samples: number[]): string => {
    const p50 = percentile(samples, 50);
    const verdict = p50 <= TARGET_MS ? 'met' : '**missed**';
    return `| ${what} | ${ms(p50)} | ${ms(percentile(samples, 95))} | ${ms(base)} | ${(p50 / base).toFixed(1)}x | ≤ ${TARGET_MS} ms: ${verdict} |`;
  };
  const summary = (key: 'vc-help' | 'vc-policy-hash', samples: number[]) => {
    const p50 = percentile(samples, 50);
    return {
      key,
      now: ms(p50),
      ratio: `${(p50 / base).toFixed(1)}x \`node -e 0\``,
      met: p50 <= TARGET_MS,
    };
  };
  writeBenchSection(
    'cli-start',
    `## CLI start (\`bench/cli-start.bench.ts\`)

${await machineLine()}, ${new Date().toISOString().slice(0, 10)}. ${RUNS} runs of each, interleaved with a bare \`node -e 0\` in the same run; spawn to exit of \`node bin/vc.mjs …\`. Load average (1 / 5 / 15 min): ${loadBefore} at the start, ${loadLine()} at the end.

| command | p50 | p95 | \`node -e 0\`, p50 (same run) | ratio | target |
|---|---|---|---|---|---|
${row('`vc --help`', times.help)}
${row('`vc policy hash scenarios/example/policy.json`', times.hash)}`,
    [summary('vc-help', times.help), summary('vc-policy-hash', times.hash)],
  );
  console.log(
    `vc --help ${ms(percentile(times.help, 50))}, vc policy hash ${ms(percentile(times.hash, 50))}, node -e 0 ${ms(base)}`,
  );
}

await main();
process.exit(0);
