// Components against core modules, in one run: the same C program (file-digest) as a core module on
// our preview 1 host and as a component (jco's preview 1 adapter + our WASI 0.2 host), plus the
// JavaScript component sealed-bid-auction (ComponentizeJS) against its TypeScript reference.
// Start latency = a run on a tiny input, caches warm (transpiled at provisioning); cold = first run
// after provisioning nothing (transpile + compile included), with an empty on-disk cache; first run
// with a warm on-disk cache = as in a new process after another one transpiled the component (the
// disk cache of enclave/component/disk-cache.ts, in-memory caches empty: compile included).
// Speed = digest of 32 MiB in 64 KiB reads.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RIGHTS_ALL, type RightsTable } from '../protocol/index.js';
import {
  type RunOptions,
  type RunResult,
  runProgram,
  shutdownWorkers,
  clearComponentCaches,
  prepareComponent,
  runComponent,
  Vfs,
} from '../enclave/index.js';
import { generateBids, auction } from '../sdk/index.js';
import { loadLine, machineLine, percentile, writeBenchSection } from './report.js';

const guest = (path: string): Uint8Array =>
  readFileSync(new URL(`../sdk/components/${path}`, import.meta.url));
const digestCore = guest('file-digest/file-digest.wasm');
const digestComponent = guest('file-digest/file-digest.component.wasm');
const auctionComponent = guest('sealed-bid-auction/sealed-bid-auction.wasm');
const rights: RightsTable = [
  { path: '/input/', rights: RIGHTS_ALL },
  { path: '/output/', rights: RIGHTS_ALL },
];
const RUNS = 15;
const BIG = 32 << 20;
const BIDS = 20_000;

type Runner = (options: RunOptions) => Promise<RunResult>;

function vfsWith(path: string, data: Uint8Array): Vfs {
  const vfs = new Vfs();
  vfs.writeUnchecked(path, data);
  vfs.mkdir('/output');
  return vfs;
}

async function timeRun(
  run: Runner,
  program: Uint8Array,
  vfs: Vfs,
  args: string[] = [],
): Promise<number> {
  const start = performance.now();
  const result = await run({
    program,
    vfs,
    rights,
    args,
    limits: { maxMemoryMib: 256, timeoutMs: 120_000 },
  });
  const ms = performance.now() - start;
  if (result.exitCode !== 0) throw new Error(`bench run failed with exit code ${result.exitCode}`);
  return ms;
}

async function samples(runs: number, once: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await once());
  return out;
}

const fmt = (ms: number): string => ms.toFixed(ms < 10 ? 2 : 0);
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

/** First run with nothing in memory; the disk cache is whatever VC_COMPONENT_CACHE holds. */
async function firstRun(program: Uint8Array, path: string, data: Uint8Array): Promise<number> {
  clearComponentCaches();
  return timeRun(runComponent, program, vfsWith(path, data));
}

async function main(): Promise<void> {
  const tiny = new Uint8Array(16);
  const big = new Uint8Array(BIG).map((_, i) => (i * 131) & 0xff);
  const csv = new TextEncoder().encode(generateBids(42, BIDS));

  // A disk cache of the bench's own, empty at first: the cold runs fill it.
  const diskCache = mkdtempSync(join(tmpdir(), 'vc-bench-components-'));
  process.env['VC_COMPONENT_CACHE'] = diskCache;
  const coldDigest = await firstRun(digestComponent, '/input/data.bin', tiny);
  const coldAuction = await firstRun(auctionComponent, '/input/bids.csv', csv);
  const warmDiskDigest = await samples(3, () => firstRun(digestComponent, '/input/data.bin', tiny));
  const warmDiskAuction = await samples(3, () =>
    firstRun(auctionComponent, '/input/bids.csv', csv),
  );
  rmSync(diskCache, { recursive: true, force: true });
  await prepareComponent(digestComponent, 256);
  await prepareComponent(auctionComponent, 256);
  await timeRun(runProgram, digestCore, vfsWith('/input/data.bin', tiny));

  const startCore = await samples(RUNS, () =>
    timeRun(runProgram, digestCore, vfsWith('/input/data.bin', tiny)),
  );
  const startComp = await samples(RUNS, () =>
    timeRun(runComponent, digestComponent, vfsWith('/input/data.bin', tiny)),
  );
  const tinyCsv = new TextEncoder().encode('bidder,amount\nalice,1\nbob,2\n');
  const startJsTiny = await samples(5, () =>
    timeRun(runComponent, auctionComponent, vfsWith('/input/bids.csv', tinyCsv)),
  );
  const startJs = await samples(5, () =>
    timeRun(runComponent, auctionComponent, vfsWith('/input/bids.csv', csv)),
  );
  const speedCore = await samples(5, () =>
    timeRun(runProgram, digestCore, vfsWith('/input/data.bin', big), ['65536']),
  );
  const speedComp = await samples(5, () =>
    timeRun(runComponent, digestComponent, vfsWith('/input/data.bin', big), ['65536']),
  );
  const refMs = await samples(5, async () => {
    const t = performance.now();
    auction(new TextDecoder().decode(csv));
    return performance.now() - t;
  });

  const p50 = (v: number[]): number => percentile(v, 50);
  const p95 = (v: number[]): number => percentile(v, 95);
  const mbps = (ms: number): string => (BIG / 2 ** 20 / (ms / 1000)).toFixed(0);
  const markdown = `## Components (bench/component.bench.ts)

${await machineLine()}, ${new Date().toISOString().slice(0, 10)}, load average (1 / 5 / 15 min) at the end ${loadLine()}. Baseline: the same C program (file-digest) as a core module on our preview 1 host, measured in the same run. Times are wall clock per execution (worker start, instantiation, run, diff), ${RUNS} runs unless noted.

| What | p50 ms | p95 ms | vs core |
|---|---:|---:|---:|
| Start, core module (16-byte input) | ${fmt(p50(startCore))} | ${fmt(p95(startCore))} | 1.00× |
| Start, same program as component (warm caches) | ${fmt(p50(startComp))} | ${fmt(p95(startComp))} | ${ratio(p50(startComp), p50(startCore))} |
| First run of the component, nothing cached (transpile + compile) | ${fmt(coldDigest)} | | ${ratio(coldDigest, p50(startCore))} |
| First run of the component, warm on-disk cache (read + compile; 3 runs) | ${fmt(p50(warmDiskDigest))} | ${fmt(p95(warmDiskDigest))} | ${ratio(p50(warmDiskDigest), p50(startCore))} |
| Digest of ${BIG >> 20} MiB in 64 KiB reads, core (${mbps(p50(speedCore))} MiB/s) | ${fmt(p50(speedCore))} | ${fmt(p95(speedCore))} | 1.00× |
| Same, component (${mbps(p50(speedComp))} MiB/s) | ${fmt(p50(speedComp))} | ${fmt(p95(speedComp))} | ${ratio(p50(speedComp), p50(speedCore))} |

JavaScript component (sealed-bid-auction, ${BIDS} bids, 5 runs), against its TypeScript reference run directly in Node:

| What | p50 ms | p95 ms |
|---|---:|---:|
| JS component, 2 bids (start latency), warm caches | ${fmt(p50(startJsTiny))} | ${fmt(p95(startJsTiny))} |
| JS component, warm caches | ${fmt(p50(startJs))} | ${fmt(p95(startJs))} |
| JS component, first run with nothing cached | ${fmt(coldAuction)} | |
| JS component, first run with a warm on-disk cache (3 runs) | ${fmt(p50(warmDiskAuction))} | ${fmt(p95(warmDiskAuction))} |
| TypeScript reference in the host process | ${fmt(p50(refMs))} | ${fmt(p95(refMs))} |

The JS component's fixed cost is instantiating StarlingMonkey (a 13 MiB core module, Wizer-initialised) in a fresh worker; the first run adds jco's transpilation, done at provisioning time in the enclave, or read from the on-disk cache outside the measured enclave runtime (docs/components.md).`;
  const warm = p50(warmDiskAuction);
  writeBenchSection('component', markdown, [
    {
      key: 'js-first-run',
      now: `${fmt(warm)} ms with a warm on-disk cache (${fmt(coldAuction)} ms with nothing cached)`,
      ratio: `${ratio(warm, p50(startJs))} the warm run`,
      met: warm <= 1500,
    },
  ]);
  console.log(markdown);
}

try {
  await main();
} finally {
  await shutdownWorkers();
}
