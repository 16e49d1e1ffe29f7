// Benchmarks write their results into docs/benchmarks.md, each into its own section between markers,
// so several benchmark scripts can share one results file without overwriting each other.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const resultsFile = new URL('../docs/benchmarks.md', import.meta.url);
const header =
  '# Benchmark results\n\nWritten by the scripts in `bench/` (`npm run bench`); each section names its script, ' +
  'machine and date. Ratios are against a baseline measured in the same run.\n';

/** Replaces (or appends) the section `name` of docs/benchmarks.md with `markdown`. */
export function writeBenchSection(name: string, markdown: string): void {
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const current = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : header;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  const next =
    start >= 0 && stop > start
      ? current.slice(0, start) + block + current.slice(stop + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(resultsFile, next);
}

/** Percentile (0..100) of a list of numbers, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** A one-line description of the machine, for result headers. */
export async function machineLine(): Promise<string> {
  const os = await import('node:os');
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}
