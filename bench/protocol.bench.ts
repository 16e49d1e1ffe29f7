// Protocol benchmark (issues 7 and 17), every figure beside a baseline or target of the same run:
// - a full computation (launch with attestation, one program, two data files, execution, result,
//   shutdown), embedded and over NATS, p50/p95, beside the bare execution of the same program on
//   the same inputs in the sandbox (`runProgram`), which no protocol can make cheaper;
// - the sustained rate of small computations with 1, 2, 4 and 8 concurrent enclave workers on one
//   host over NATS (the issue's row is 4);
// - sealed uploads of 1, 10 and 100 MiB over NATS as a participant sends them, against raw NATS
//   request/reply (and publish + flush) with the same 512 KiB chunks in the same run;
// - the largest result read back: the `copy` guest returns its input reversed, for growing sizes.
// Writes the `protocol` section of docs/benchmarks.md. Run: npm run bench -- protocol
import { readFileSync } from 'node:fs';
import type { Step } from '../machines/index.js';
import type { GeneratedIdentity } from '../protocol/index.js';
import { runParty, memoryBus, natsBus, startSystem, type System } from '../actors/index.js';
import { identities, policyFor, wasmOf } from '../scenarios/testing/index.js';
import { exampleNamed } from '../sdk/index.js';
import { allRights, runProgram, shutdownWorkers, Vfs } from '../enclave/index.js';
import { NatsTransport, startNatsServer } from '../transport/index.js';
import { loadLine, machineLine, percentile, writeBenchSection, type SummaryRow } from './report.js';
import { randomData, sustainedRate, upload, type Rate } from './workloads.js';

const RUNS = Number(process.env['VC_BENCH_RUNS'] ?? 30);
const RATE_SECONDS = Number(process.env['VC_BENCH_RATE_SECONDS'] ?? 5);
const UPLOAD_SIZES_MIB = (process.env['VC_BENCH_UPLOAD_MIB'] ?? '1,10,100').split(',').map(Number);
const RESULT_SIZES_MIB = (process.env['VC_BENCH_RESULT_MIB'] ?? '0.5,8,100').split(',').map(Number);
const WORKER_COUNTS = [1, 2, 4, 8];
const CHUNK = 512 * 1024;
const TARGETS = { rate: 30, embeddedMs: 40, natsMs: 60, uploadRatio: 0.5 };

const sed = exampleNamed('string-edit-distance');
const sedWasm = wasmOf('string-edit-distance');
const sedData = sed.generate(1, 20);
const copyWasm = new Uint8Array(
  readFileSync(new URL('../enclave/guests/copy.wasm', import.meta.url)),
);

const ms = (n: number) => `${n.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

/** Launch + one participant: program, two data files, compute, result, shutdown. */
async function fullComputation(
  system: System,
  identity: GeneratedIdentity,
): Promise<{ total: number; launch: number }> {
  const program = '/program/string-edit-distance.wasm';
  const policy = policyFor(system, {
    participants: [{ identity, capabilities: ['/program/:wx', '/input/:w', '/output/:r'] }],
    programs: [{ path: program, bytes: sedWasm, capabilities: ['/input/:r', '/output/:w'] }],
  });
  const [in1, in2] = sed.inputs;
  const steps: Step[] = [
    { op: 'program', path: program, source: 'wasm' },
    { op: 'data', path: in1!, source: 'a', mode: 'write' },
    { op: 'data', path: in2!, source: 'b', mode: 'write' },
    { op: 'compute', program },
    { op: 'result', path: sed.outputs[0]!, destination: 'out' },
    { op: 'shutdown' },
  ];
  const start = performance.now();
  await system.launch(policy);
  const launched = performance.now();
  const outcome = await runParty(
    { bus: system.bus, policy },
    {
      identity,
      steps,
      sources: { wasm: sedWasm, a: sedData.files.get(in1!)!, b: sedData.files.get(in2!)! },
    },
  );
  const end = performance.now();
  if (!outcome.ok) throw new Error(`computation failed: ${JSON.stringify(outcome.failure)}`);
  return { total: end - start, launch: launched - start };
}

/** The same program on the same inputs, run directly in the sandbox: the baseline of a computation. */
async function bareExecution(): Promise<number> {
  const vfs = new Vfs();
  for (const [path, bytes] of sedData.files) vfs.writeUnchecked(path, bytes);
  vfs.mkdir('/output');
  const start = performance.now();
  await runProgram({ program: sedWasm, vfs, rights: allRights(['/input', '/output']) });
  return performance.now() - start;
}

interface Latencies {
  readonly total: number[];
  readonly launch: number[];
  readonly bare: number[];
}

async function latencies(system: System, runs: number, label: string): Promise<Latencies> {
  const ids = await identities(runs + 3, 'bench');
  for (let i = 0; i < 3; i++) await fullComputation(system, ids[i]!); // warm-up
  const out: Latencies = { total: [], launch: [], bare: [] };
  for (let i = 0; i < runs; i++) {
    const { total, launch } = await fullComputation(system, ids[i + 3]!);
    out.total.push(total);
    out.launch.push(launch);
    out.bare.push(await bareExecution()); // interleaved: both see the same load
  }
  console.log(
    `${label}: p50 ${ms(percentile(out.total, 50))}, p95 ${ms(percentile(out.total, 95))}, bare execution ${ms(percentile(out.bare, 50))}`,
  );
  return out;
}

/** Uploads `mib` MiB, runs the copy guest and reads its `mib` MiB result back; true if it matches. */
async function resultRoundTrip(
  system: System,
  identity: GeneratedIdentity,
  mib: number,
): Promise<{ ok: boolean; seconds: number; why?: string }> {
  const program = '/program/copy.wasm';
  const policy = policyFor(system, {
    participants: [{ identity, capabilities: ['/program/:wx', '/input/:w', '/output/:r'] }],
    programs: [{ path: program, bytes: copyWasm, capabilities: ['/input/:r', '/output/:w'] }],
    maxMemoryMib: Math.max(256, Math.ceil(mib * 4)),
  });
  await system.launch(policy);
  const data = randomData(mib);
  const start = performance.now();
  const outcome = await runParty(
    { bus: system.bus, policy, timeoutMs: 300_000 },
    {
      identity,
      sources: { wasm: copyWasm, big: data },
      steps: [
        { op: 'program', path: program, source: 'wasm' },
        { op: 'data', path: '/input/big.dat', source: 'big', mode: 'write' },
        { op: 'compute', program },
        { op: 'result', path: '/output/big.dat', destination: 'out' },
        { op: 'shutdown' },
      ],
    },
  );
  const seconds = (performance.now() - start) / 1000;
  if (!outcome.ok) return { ok: false, seconds, why: outcome.failure?.code ?? 'failed' };
  const back = outcome.results.get('out');
  const ok = back !== undefined && back.length === data.length && reversedOf(back, data);
  return ok ? { ok, seconds } : { ok, seconds, why: 'result differs from the input reversed' };
}

function reversedOf(back: Uint8Array, data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i++) if (back[i] !== data[data.length - 1 - i]) return false;
  return true;
}

/** Raw NATS baselines with the same chunking: request/reply with an ack, and publish + flush. */
async function rawNats(
  url: string,
  mib: number,
  chunk: number,
): Promise<{ requestReply: number; publish: number }> {
  const a = await NatsTransport.connect({ servers: url, name: 'bench-raw-a' });
  const b = await NatsTransport.connect({ servers: url, name: 'bench-raw-b' });
  const ack = new Uint8Array(16);
  let received = 0;
  const sub = b.subscribe('bench.raw.req', (m) => void m.respond(ack));
  const sink = b.subscribe('bench.raw.pub', (m) => void (received += m.data.length));
  await b.flush();
  const total = Math.round(mib * 2 ** 20);
  let start = performance.now();
  for (let sent = 0; sent < total; sent += chunk)
    await a.request('bench.raw.req', new Uint8Array(Math.min(chunk, total - sent)), {
      timeoutMs: 10_000,
    });
  const requestReply = mib / ((performance.now() - start) / 1000);
  start = performance.now();
  for (let sent = 0; sent < total; sent += chunk)
    a.publish('bench.raw.pub', new Uint8Array(Math.min(chunk, total - sent)));
  await a.flush();
  while (received < total) await new Promise((r) => setTimeout(r, 1));
  const publish = mib / ((performance.now() - start) / 1000);
  sub.unsubscribe();
  sink.unsubscribe();
  await a.close();
  await b.close();
  return { requestReply, publish };
}

async function main(): Promise<void> {
  const benchStart = performance.now();
  const loadBefore = loadLine();
  const embedded = await startSystem({ bus: memoryBus() });
  const emb = await latencies(embedded, RUNS, 'embedded');
  await embedded.stop();

  // Over NATS every message is also persisted by the JetStream journal stream, as in production,
  // on a nats-server with the default 1 MiB max payload.
  const server = await startNatsServer({ config: 'max_payload: 1048576' });
  const nats = await startSystem({
    bus: await natsBus({ servers: server.url, journal: { kind: 'jetstream' } }),
  });
  const net = await latencies(nats, RUNS, 'nats (in-process workers)');

  const rates = new Map<number, Rate>();
  for (const workers of WORKER_COUNTS)
    rates.set(workers, await sustainedRate(nats, workers, RATE_SECONDS));

  const uploads: {
    mib: number;
    repeats: number;
    ours: number;
    requestReply: number;
    publish: number;
  }[] = [];
  for (const mib of UPLOAD_SIZES_MIB) {
    // Small uploads are short enough for one stall to swing them: medians of interleaved repeats.
    const repeats = mib >= 100 ? 1 : 3;
    const ids = await identities(repeats, 'bench');
    const ours: number[] = [];
    const rawRr: number[] = [];
    const rawPub: number[] = [];
    for (const id of ids) {
      ours.push(await upload(nats, id, mib));
      const raw = await rawNats(server.url, mib, CHUNK);
      rawRr.push(raw.requestReply);
      rawPub.push(raw.publish);
    }
    const median = (v: number[]) => percentile(v, 50);
    const measured = { ours: median(ours), requestReply: median(rawRr), publish: median(rawPub) };
    uploads.push({ mib, repeats, ...measured });
    console.log(
      `upload ${mib} MiB: ${measured.ours.toFixed(1)} MiB/s; raw request/reply ${measured.requestReply.toFixed(1)}, raw publish ${measured.publish.toFixed(1)}`,
    );
  }

  const results: { mib: number; ok: boolean; seconds: number; why?: string }[] = [];
  for (const mib of RESULT_SIZES_MIB) {
    const [identity] = await identities(1, 'bench');
    const r = await resultRoundTrip(nats, identity!, mib);
    results.push({ mib, ...r });
    console.log(
      `result ${mib} MiB: ${r.ok ? 'read back' : `not read back (${r.why})`} in ${r.seconds.toFixed(1)} s`,
    );
    if (!r.ok) break; // larger ones fail the same way
  }
  await nats.stop();
  await server.stop();
  await shutdownWorkers();

  const e50 = percentile(emb.total, 50);
  const n50 = percentile(net.total, 50);
  const row = (mode: string, l: Latencies, target: number) => {
    const p50 = percentile(l.total, 50);
    const bare = percentile(l.bare, 50);
    return `| ${mode} | ${RUNS} | ${ms(p50)} | ${ms(percentile(l.total, 95))} | ${ms(percentile(l.launch, 50))} | ${ms(bare)} | ${(p50 / bare).toFixed(1)}x | ≤ ${target} ms: ${verdict(p50 <= target)} |`;
  };
  const rateOf = (w: number) => rates.get(w)?.rate ?? Number.NaN;
  const failuresOf = (w: number) => {
    const codes = rates.get(w)?.failures ?? [];
    const counts = new Map<string, number>();
    for (const c of codes) counts.set(c, (counts.get(c) ?? 0) + 1);
    return [...counts].map(([c, n]) => `${n} × ${c}`).join(', ') || 'none';
  };
  const rate4 = rateOf(4);
  const rate1 = rateOf(1);
  const largest = uploads.at(-1)!;
  const uploadRatio = largest.ours / largest.requestReply;
  const readBack = results.filter((r) => r.ok).map((r) => r.mib);
  const largestRead = readBack.length > 0 ? Math.max(...readBack) : 0;
  const failed = results.find((r) => !r.ok);
  const mibText = (mib: number) => (mib < 1 ? `${mib * 1024} KiB` : `${mib} MiB`);
  const elapsed = (performance.now() - benchStart) / 1000;

  const summary: SummaryRow[] = [
    {
      key: 'rate',
      now: `${rate4.toFixed(1)} /s`,
      ratio: `${(rate4 / TARGETS.rate).toFixed(2)}x target`,
      met: rate4 >= TARGETS.rate,
    },
    {
      key: 'p50-embedded',
      now: ms(e50),
      ratio: `${(e50 / percentile(emb.bare, 50)).toFixed(1)}x bare execution`,
      met: e50 <= TARGETS.embeddedMs,
    },
    {
      key: 'p50-nats',
      now: ms(n50),
      ratio: `${(n50 / percentile(net.bare, 50)).toFixed(1)}x bare execution`,
      met: n50 <= TARGETS.natsMs,
    },
    {
      key: 'upload',
      now: `${largest.ours.toFixed(1)} vs ${largest.requestReply.toFixed(1)} MiB/s (${largest.mib} MiB)`,
      ratio: `${uploadRatio.toFixed(2)}x raw request/reply`,
      met: uploadRatio >= TARGETS.uploadRatio,
    },
    {
      key: 'result-size',
      now:
        failed === undefined
          ? `${mibText(largestRead)} read back (largest tried)`
          : `${mibText(largestRead)} read back; ${mibText(failed.mib)} failed (${failed.why})`,
      met: failed === undefined && largestRead >= 100,
    },
  ];

  writeBenchSection(
    'protocol',
    `## Protocol (\`bench/protocol.bench.ts\`)

${await machineLine()}, ${new Date().toISOString().slice(0, 10)}; load average (1 / 5 / 15 min) ${loadBefore} at the start, ${loadLine()} at the end; the whole bench took ${elapsed.toFixed(0)} s. Over NATS: a private nats-server with the default 1 MiB max payload, every message journaled by the JetStream stream over \`vc.>\` as in production; enclave workers in the host process (a worker as its own process: section enclave-start).

### Full computation

Launch (host, enclave keys, sim attestation, certificate, announcement and the launcher's phase 6 check), then one participant session (phase 6 check, program, two data files, string-edit-distance execution in a worker thread, sealed result, shutdown). Baseline: the same program on the same inputs run directly in the sandbox (\`runProgram\`: worker thread, compile, run), interleaved with the computations.

| mode | runs | p50 | p95 | of which launch, p50 | bare execution, p50 | ratio | target (p50) |
|---|---|---|---|---|---|---|---|
${row('embedded (in-memory bus)', emb, TARGETS.embeddedMs)}
${row('NATS', net, TARGETS.natsMs)}

### Sustained computations/s and scaling

Concurrent enclave workers on one host over NATS, each lane running small computations back to back for ${RATE_SECONDS} s (each a launch with attestation, program, execution, result and shutdown of random-source). The issue's row is 4 workers (target ≥ ${TARGETS.rate}/s: ${verdict(rate4 >= TARGETS.rate)}).

| workers | computations/s | vs 1 worker | computations that did not finish (not counted) |
|---|---|---|---|
${WORKER_COUNTS.map((w) => `| ${w} | ${rateOf(w).toFixed(1)} | ${(rateOf(w) / rate1).toFixed(2)}x | ${failuresOf(w)} |`).join('\n')}

### Sealed upload throughput

A participant's \`data\` step over NATS (sealed chunks, signed requests, verified, opened and acknowledged by the enclave), from the session's start (the participant's attestation check, a fixed cost that weighs on the 1 MiB row) to the last chunk's acknowledgement; baseline: raw NATS in the same run with the same ${CHUNK / 1024} KiB chunks, each request acknowledged, and publish + flush. Target at 100 MiB: ≥ ${TARGETS.uploadRatio}x raw request/reply (${verdict(uploadRatio >= TARGETS.uploadRatio)} at ${largest.mib} MiB).

| size | runs (median) | sealed upload | raw request/reply | ratio | raw publish + flush | ratio |
|---|---|---|---|---|---|---|
${uploads.map((u) => `| ${mibText(u.mib)} | ${u.repeats} | ${u.ours.toFixed(1)} MiB/s | ${u.requestReply.toFixed(1)} MiB/s | ${(u.ours / u.requestReply).toFixed(2)}x | ${u.publish.toFixed(1)} MiB/s | ${(u.ours / u.publish).toFixed(2)}x |`).join('\n')}

### Result size

Upload N MiB, run the \`copy\` guest (enclave/guests/copy.c: writes its input reversed to /output), read the N MiB result back and compare; sizes tried in order, stopping at the first failure. Target: any size up to the quota, streamed (100 MiB round trip).

| size | read back? | upload + compute + result, s |
|---|---|---|
${results.map((r) => `| ${mibText(r.mib)} | ${r.ok ? 'yes' : `no: ${r.why}`} | ${r.seconds.toFixed(1)} |`).join('\n')}`,
    summary,
  );
  console.log(`protocol bench: ${elapsed.toFixed(0)} s`);
}

await main();
process.exit(0);
