// Nearest-rank percentiles: what scenarios report about their own runs (latency per frame) and
// what the benchmarks in bench/ report (bench/report.ts re-exports this one).

/** Percentile (0..100) of a list of numbers, nearest-rank; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
