// Enclave worker process start (issue 15): how long an enclave worker takes from its spawn to ready,
// now that it runs the measured runtime bundle (dist/enclave-runtime.mjs) with plain node, beside a
// bare `node -e 0` measured in the same run (interleaved, so both see the same load):
// - process start: spawn to exit of `node dist/enclave-runtime.mjs` without arguments (Node starts,
//   loads and evaluates the whole bundle, prints its usage, exits), and for comparison the same
//   entry run from the sources through tsx, as worker processes started before;
// - launch to ready: a launch request to a host over NATS until the enclave's `enclave.ready`
//   announcement, the host handing the launch to its spare worker process (started ahead: loaded,
//   connected, measured, its keys made; it reads the policy, is attested by the verifier and
//   announces); for comparison the same with no spare (`vc host --no-spare`: the host spawns the
//   bundle at the launch), and with the worker in the host's process.
// Writes the `enclave-start` section of docs/benchmarks.md. Run: npm run bench -- enclave-start
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { natsBus, spareWorkers, startSystem, type System } from '../actors/index.js';
import { ensureRuntimeBundle, shutdownWorkers } from '../enclave/index.js';
import { identities, policyFor, wasmOf } from '../scenarios/testing/index.js';
import { startNatsServer } from '../transport/index.js';
import { machineLine, percentile, writeBenchSection } from './report.js';

const RUNS = Number(process.env['VC_BENCH_RUNS'] ?? 15);
const entrySource = fileURLToPath(
  new URL('../actors/enclave-worker/enclave-main.ts', import.meta.url),
);
const tsxLoader = import.meta.resolve('tsx');
const program = '/program/linear-regression.wasm';
const wasm = wasmOf('linear-regression');

/** Milliseconds from spawn to exit of `node ...args`. */
function timeProcess(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - start));
  });
}

/** Milliseconds from a launch request to the enclave's `enclave.ready`. */
async function timeLaunch(system: System): Promise<number> {
  const [owner] = await identities(1, 'bench');
  const policy = policyFor(system, {
    participants: [{ identity: owner!, capabilities: ['/program/:wx', '/output/:r'] }],
    programs: [{ path: program, bytes: wasm, capabilities: ['/input/:r', '/output/:w'] }],
  });
  const start = performance.now();
  await system.launch(policy, { verify: false });
  return performance.now() - start;
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const bundle = await ensureRuntimeBundle();
  const bare: number[] = [];
  const fromBundle: number[] = [];
  const fromSources: number[] = [];
  // One of each first, not counted: the file system cache and tsx's own cache warm up.
  await timeProcess(['-e', '0']);
  await timeProcess([bundle]);
  await timeProcess(['--import', tsxLoader, entrySource]);
  for (let i = 0; i < RUNS; i++) {
    bare.push(await timeProcess(['-e', '0']));
    fromBundle.push(await timeProcess([bundle]));
    fromSources.push(await timeProcess(['--import', tsxLoader, entrySource]));
  }

  // One server per system: hosts and verifiers of two systems on one server would share queue groups.
  const servers = [await startNatsServer(), await startNatsServer(), await startNatsServer()];
  const bus = (url: string) => natsBus({ servers: url, journal: { kind: 'recorder' } });
  const spared = await startSystem({ bus: await bus(servers[0]!.url), workers: 'process' });
  const processes = await startSystem({
    bus: await bus(servers[1]!.url),
    workers: 'process',
    spares: 0,
  });
  const inProcess = await startSystem({ bus: await bus(servers[2]!.url) });
  /** A launch on the spared system once its spare is ready (a host between launches). */
  const sparedLaunch = async (): Promise<number> => {
    while (![...spareWorkers().values()].some(Boolean)) await sleep(10);
    return timeLaunch(spared);
  };
  const launchBare: number[] = [];
  const launchSpare: number[] = [];
  const launchProcess: number[] = [];
  const launchInProcess: number[] = [];
  await sparedLaunch();
  await timeLaunch(processes);
  await timeLaunch(inProcess);
  for (let i = 0; i < RUNS; i++) {
    launchBare.push(await timeProcess(['-e', '0']));
    launchSpare.push(await sparedLaunch());
    launchProcess.push(await timeLaunch(processes));
    launchInProcess.push(await timeLaunch(inProcess));
  }
  await spared.stop();
  await processes.stop();
  await inProcess.stop();
  for (const server of servers) await server.stop();
  await shutdownWorkers();

  const ms = (n: number): string => `${n.toFixed(1)} ms`;
  const row = (what: string, times: number[], baseline: number[]): string => {
    const p50 = percentile(times, 50);
    const base = percentile(baseline, 50);
    return `| ${what} | ${ms(p50)} | ${ms(percentile(times, 95))} | ${ms(base)} | ${(p50 / base).toFixed(1)}x |`;
  };
  const load = `${loadBefore.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end`;
  const launchP50 = percentile(launchSpare, 50);
  writeBenchSection(
    'enclave-start',
    `## Enclave worker start (\`bench/enclave-start.bench.ts\`)

${await machineLine()}, nats-servers on 127.0.0.1 (private, one per system, started by the bench), ${new Date().toISOString().slice(0, 10)}. ${RUNS} runs of each, interleaved with a bare \`node -e 0\` start in the same run. Load average: ${load}.

An enclave worker process runs the measured runtime bundle \`dist/enclave-runtime.mjs\` with plain \`node\` (docs/attestation.md).

| measurement | p50 | p95 | \`node -e 0\`, p50 (same run) | ratio |
|---|---|---|---|---|
${row('process start: spawn to exit of `node dist/enclave-runtime.mjs` (loads and evaluates the bundle, prints its usage)', fromBundle, bare)}
${row('for comparison, the same entry from the sources through tsx (`node --import tsx actors/enclave-worker/enclave-main.ts`), as before the bundle', fromSources, bare)}
${row("launch to ready: launch request to a host over NATS until `enclave.ready`, the worker its own process running the bundle, handed the launch as the host's spare (started ahead: loaded, connected, measured, its keys made; then the policy, sim attestation, certificate, announcement)", launchSpare, launchBare)}
${row('for comparison, the same launch with no spare (`vc host --no-spare`: spawn, load, connect, measure, then the same)', launchProcess, launchBare)}
${row('for comparison, the same launch with the worker in the host process (no process start)', launchInProcess, launchBare)}

Target (issue 17): launch to ready with the worker its own process at most 300 ms. A spare launch starts once the host's spare is ready (it says so on its stdout), as on a host between launches. What the process still adds to the in-process launch with a spare, p50 against p50: ${ms(percentile(launchSpare, 50) - percentile(launchInProcess, 50))}; without a spare ${ms(percentile(launchProcess, 50) - percentile(launchInProcess, 50))} (Node's start and the bundle's load, ${ms(percentile(fromBundle, 50) - percentile(bare, 50))} above \`node -e 0\` in the process-start row, then the NATS connection and the worker's own set-up); the rest, in all, is the protocol: keys, the verifier's challenge, evidence, appraisal and certificate, the announcement.

The machine is shared: with a high load average the absolute figures swing, the ratios to \`node -e 0\` less. The worker-process figures of the protocol section were measured before worker processes ran the bundle (they include tsx compiling the sources).`,
    [
      {
        key: 'worker-launch',
        now: `${ms(launchP50)} launch to ready (spare)`,
        ratio: `${(launchP50 / percentile(launchBare, 50)).toFixed(1)}x \`node -e 0\``,
        met: launchP50 <= 300,
      },
    ],
  );
  console.log(
    `bundle ${ms(percentile(fromBundle, 50))}, tsx ${ms(percentile(fromSources, 50))}, node -e 0 ${ms(percentile(bare, 50))}; launch spare ${ms(percentile(launchSpare, 50))}, no spare ${ms(percentile(launchProcess, 50))}, in-process ${ms(percentile(launchInProcess, 50))}`,
  );
}

await main();
process.exit(0);
