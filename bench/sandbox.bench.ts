// Sandbox benchmark: the same C kernels built natively (gcc -O2) and for wasm32-wasi (clang -O2,
// matmul with -msimd128), run natively, in our sandbox, and under Node's node:wasi (a reference
// only: it is not a sandbox and never runs guests in Veracruz-TS). Kernels time their own work with
// CLOCK_MONOTONIC, so process and worker start-up are measured separately: execution start latency
// (p50) and the throughput of reading a 64 MiB input through the virtual file system.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { prewarm, runProgram, shutdownWorkers, allRights, Vfs } from '../enclave/index.js';
import { privateTempDir } from '../transport/index.js';
import { machineLine, percentile, writeBenchSection, type SummaryRow } from './report.js';

const kernelsDir = fileURLToPath(new URL('./kernels/', import.meta.url));
const wasmCc = fileURLToPath(new URL('../scripts/wasm-cc.sh', import.meta.url));
const workDir = privateTempDir('vc-bench-');
const work = workDir.path;
const REPEATS = 3;
const INPUT_BYTES = 64 * 2 ** 20;

interface Kernel {
  readonly name: string;
  readonly label: string;
  readonly integer: boolean;
}

const kernels: Kernel[] = [
  { name: 'hash', label: 'integer hashing (50 M, 1 M-slot table)', integer: true },
  { name: 'sort', label: 'quicksort of 4 M u32', integer: true },
  { name: 'sha256', label: 'SHA-256 of 64 MiB', integer: true },
  // -msimd128 comes from the kernel's `// build-flags:` line (read by scripts/wasm-cc.sh).
  { name: 'matmul', label: 'f32 matmul 512² ×8 (-msimd128)', integer: false },
];

function build(name: string): { native: string; wasm: Uint8Array; wasmPath: string } {
  const src = join(kernelsDir, `${name}.c`);
  const native = join(work, name);
  const wasmPath = join(work, `${name}.wasm`);
  const gcc = spawnSync('gcc', ['-O2', '-o', native, src], { encoding: 'utf8' });
  if (gcc.status !== 0) throw new Error(`gcc failed for ${name}: ${gcc.stderr}`);
  // The guests' C-to-wasm step, so that `npm run bench` (binaryen's wasm-opt on PATH) builds the
  // same kernels as a direct run.
  const clang = spawnSync('bash', [wasmCc, wasmPath, src, '-O2', '-s'], { encoding: 'utf8' });
  if (clang.status !== 0) throw new Error(`clang failed for ${name}: ${clang.stderr}`);
  return { native, wasm: readFileSync(wasmPath), wasmPath };
}

/** Parses the kernel's `result CHECKSUM ns ELAPSED` line. */
function parse(output: string): { checksum: string; ms: number } {
  const match = /result (\d+) ns (\d+)/.exec(output);
  if (!match) throw new Error(`unexpected kernel output: ${output}`);
  return { checksum: match[1] as string, ms: Number(match[2]) / 1e6 };
}

const median = (values: number[]): number => percentile(values, 50);

function runNative(path: string, args: string[] = []): { checksum: string; ms: number } {
  const r = spawnSync(path, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path} exited ${r.status}`);
  return parse(r.stdout);
}

async function runSandbox(
  wasm: Uint8Array,
  vfs = new Vfs(),
  rights = allRights([]),
): Promise<{ checksum: string; ms: number }> {
  const result = await runProgram({
    program: wasm,
    vfs,
    rights,
    clock: true,
    limits: { maxMemoryMib: 512, timeoutMs: 600_000 },
  });
  return parse(new TextDecoder().decode(result.stdout));
}

let nodeWasiCrashes = 0;

/** node:wasi in a child process (same compiler setting as ours: --no-liftoff). */
function runNodeWasi(
  wasmPath: string,
  preopen?: [string, string],
): { checksum: string; ms: number } {
  const runner = join(kernelsDir, 'node-wasi-run.mjs');
  const args = ['--no-liftoff', '--no-warnings', runner, wasmPath, ...(preopen ?? [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  // Node 20's node:wasi sometimes dies by SIGSEGV while its process exits, after the kernel has
  // printed its result; such a run still counts, and the crashes are reported.
  if (r.signal !== null && /result \d+ ns \d+/.test(r.stdout)) nodeWasiCrashes++;
  else if (r.status !== 0) {
    throw new Error(`node:wasi run of ${wasmPath} failed (${r.status ?? r.signal}): ${r.stderr}`);
  }
  return parse(r.stdout);
}

async function measure(
  run: () => Promise<{ checksum: string; ms: number }> | { checksum: string; ms: number },
): Promise<{ checksum: string; ms: number }> {
  const samples: Array<{ checksum: string; ms: number }> = [];
  for (let i = 0; i < REPEATS; i++) samples.push(await run());
  const checksums = new Set(samples.map((s) => s.checksum));
  if (checksums.size !== 1) throw new Error('a kernel gave different results across runs');
  return { checksum: samples[0]?.checksum ?? '', ms: median(samples.map((s) => s.ms)) };
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);
const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');

/** The issue 17 summary row: the integer kernel farthest from native. */
let worstKernel: { name: string; ratio: number } | undefined;

async function kernelRows(): Promise<{ rows: string[]; misses: string[] }> {
  const rows: string[] = [];
  const misses: string[] = [];
  for (const k of kernels) {
    console.log(`kernel ${k.name}: building`);
    const { native, wasm, wasmPath } = build(k.name);
    console.log(`kernel ${k.name}: native`);
    const n = await measure(() => runNative(native));
    console.log(`kernel ${k.name}: sandbox`);
    const s = await measure(() => runSandbox(wasm));
    console.log(`kernel ${k.name}: node:wasi`);
    const w = await measure(() => runNodeWasi(wasmPath));
    if (n.checksum !== s.checksum || n.checksum !== w.checksum)
      throw new Error(`${k.name}: results differ between targets`);
    const ratio = s.ms / n.ms;
    const target = k.integer ? `≤ 1.3× — ${verdict(ratio <= 1.3)}` : 'none';
    if (k.integer && ratio > (worstKernel?.ratio ?? 0)) worstKernel = { name: k.name, ratio };
    if (k.integer && ratio > 1.3) misses.push(`${k.name} at ${fmt(ratio, 2)}× native`);
    rows.push(
      `| ${k.label} | ${fmt(n.ms)} | ${fmt(s.ms)} | ${fmt(ratio, 2)}× | ${fmt(w.ms)} | ${fmt(w.ms / n.ms, 2)}× | ${target} |`,
    );
  }
  return { rows, misses };
}

async function startLatency(): Promise<{ warm: number[]; cold: number[] }> {
  const { wasm } = build('empty');
  const warm: number[] = [];
  const cold: number[] = [];
  await runSandbox(wasm).catch(() => undefined); // bundle the worker, compile paths warm
  for (let i = 0; i < 30; i++) {
    await sleep(100); // executions in an enclave are not back to back
    await prewarm(); // waits until the spare worker (started after the last run) is ready
    const t0 = performance.now();
    await runProgram({ program: wasm, vfs: new Vfs(), rights: allRights([]) });
    warm.push(performance.now() - t0);
  }
  for (let i = 0; i < 10; i++) {
    await shutdownWorkers();
    await sleep(50);
    const t0 = performance.now();
    await runProgram({ program: wasm, vfs: new Vfs(), rights: allRights([]) });
    cold.push(performance.now() - t0);
    await shutdownWorkers();
  }
  return { warm, cold };
}

async function readThroughput(): Promise<{ native: number; sandbox: number; nodeWasi: number }> {
  const { native, wasm, wasmPath } = build('read_input');
  const data = new Uint8Array(INPUT_BYTES);
  for (let i = 0; i < data.length; i += 4096) data[i] = i & 0xff;
  const hostDir = join(work, 'input');
  spawnSync('mkdir', ['-p', hostDir]);
  writeFileSync(join(hostDir, 'big.bin'), data);
  const mibPerS = (ms: number): number => INPUT_BYTES / 2 ** 20 / (ms / 1000);
  const n = await measure(() => runNative(native, [join(hostDir, 'big.bin')]));
  const s = await measure(async () => {
    const vfs = new Vfs();
    vfs.writeUnchecked('/input/big.bin', data);
    return runSandbox(wasm, vfs, allRights(['/input']));
  });
  const w = await measure(() => runNodeWasi(wasmPath, ['/input', hostDir]));
  return { native: mibPerS(n.ms), sandbox: mibPerS(s.ms), nodeWasi: mibPerS(w.ms) };
}

async function main(): Promise<void> {
  const { rows, misses } = await kernelRows();
  console.log('start latency');
  const latency = await startLatency();
  console.log('64 MiB read');
  const read = await readThroughput();
  const warmP50 = percentile(latency.warm, 50);
  if (warmP50 > 30) misses.push(`execution start p50 ${fmt(warmP50)} ms`);
  const load = (await import('node:os')).loadavg()[0] ?? 0;
  const lines = [
    '## Sandbox (`bench/sandbox.bench.ts`)',
    '',
    `Machine: ${await machineLine()}; load average at the end ${fmt(load, 2)} (other work was running: absolute times are noisy, ratios less so).`,
    `Run: ${new Date().toISOString().slice(0, 10)}; median of ${REPEATS} runs per cell; kernel time measured inside the kernel (CLOCK_MONOTONIC), so it excludes start-up.`,
    '',
    '| kernel | native gcc -O2 (ms) | our sandbox (ms) | sandbox / native | node:wasi (ms) | node:wasi / native | target |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    '| execution start (empty guest, `runProgram` call to result) | p50 (ms) | p90 (ms) | target |',
    '| --- | ---: | ---: | --- |',
    `| with the spare worker ready (the enclave's steady state) | ${fmt(warmP50)} | ${fmt(percentile(latency.warm, 90))} | ≤ 30 ms p50 — ${verdict(warmP50 <= 30)} |`,
    `| cold: no spare, a worker is started for the run | ${fmt(percentile(latency.cold, 50))} | ${fmt(percentile(latency.cold, 90))} | — |`,
    '',
    '| reading a 64 MiB input in 1 MiB reads | MiB/s |',
    '| --- | ---: |',
    `| native (host file, page cache) | ${fmt(read.native, 0)} |`,
    `| our sandbox (virtual file system) | ${fmt(read.sandbox, 0)} |`,
    `| node:wasi (host file) | ${fmt(read.nodeWasi, 0)} |`,
    '',
    misses.length === 0
      ? 'All targets met in this run.'
      : `Missed targets in this run: ${misses.join('; ')}.`,
    '',
    `node:wasi runs in a child process with the same compiler setting as ours (\`--no-liftoff\`); ${nodeWasiCrashes} of its runs died by SIGSEGV at process exit after printing their result (a Node 20 node:wasi problem; those results were kept).`,
  ];
  const summary: SummaryRow[] =
    worstKernel === undefined
      ? []
      : [
          {
            key: 'guest-compute',
            now: `${worstKernel.name} ${fmt(worstKernel.ratio, 2)}× native`,
            ratio: `${fmt(worstKernel.ratio, 2)}x native gcc`,
            met: worstKernel.ratio <= 1.3,
          },
        ];
  writeBenchSection('sandbox', lines.join('\n'), summary);
  console.log(lines.join('\n'));
}

// Pending wasm compilation holds no event-loop handle; keep the process alive while we measure.
const keepAlive = setInterval(() => undefined, 60_000);
try {
  await main();
} finally {
  clearInterval(keepAlive);
  await shutdownWorkers();
  workDir.remove();
}
