// Delegated streaming inference (issue 22): the `delegated-inference` scenario (a weak device
// streams sealed frames, the enclave runs the object detector, only the owner reads the
// predictions) run embedded and over a private nats-server, a few times each; per mode the median
// over the runs of the scenario's own figures: frames per second, latency per frame p50 and p95
// (the device's upload round plus the owner's execution-and-read round), and bytes on the bus
// (signed messages and sealed chunks) against plaintext bytes.
// Writes the `delegated-inference` section of docs/benchmarks.md. Run: npm run bench -- delegated
import {
  findScenario,
  openEnvironment,
  percentile,
  prepareIn,
  runScenario,
  type Measurement,
} from '../scenarios/index.js';
import { shutdownWorkers } from '../enclave/index.js';
import { startNatsServer, type NatsConnectionSettings } from '../transport/index.js';
import { loadLine, machineLine, writeBenchSection } from './report.js';

const RUNS = Number(process.env['VC_BENCH_RUNS'] ?? 3);
const scenario = findScenario('delegated-inference')!;

/** Every run's figures, by name, in the scenario's order. */
async function measure(choice: { nats?: NatsConnectionSettings }): Promise<Map<string, number[]>> {
  const env = await openEnvironment(choice);
  const figures = new Map<string, number[]>();
  try {
    for (let i = 0; i < RUNS; i++) {
      const report = await runScenario(await prepareIn(env, scenario, 1 + i), env);
      if (!report.ok) throw new Error(`run ${i + 1} failed: ${report.verdict.headline}`);
      const metrics: readonly Measurement[] = report.metrics ?? [];
      for (const m of metrics) units.set(m.name, m.unit);
      for (const m of metrics) figures.set(m.name, [...(figures.get(m.name) ?? []), m.value]);
    }
  } finally {
    await env.stop();
  }
  return figures;
}

/** Each figure's unit, as the scenario reports it. */
const units = new Map<string, string>();

async function main(): Promise<void> {
  const loadBefore = loadLine();
  const embedded = await measure({});
  const server = await startNatsServer();
  let nats: Map<string, number[]>;
  try {
    nats = await measure({ nats: { servers: [server.url], namespace: 'vc' } });
  } finally {
    await server.stop();
  }
  await shutdownWorkers();
  const median = (figures: Map<string, number[]>, name: string): number =>
    percentile(figures.get(name) ?? [], 50);
  const show = (value: number, unit: string): string =>
    unit === 'B'
      ? `${Math.round(value)} B`
      : unit === 'x'
        ? `${value.toFixed(2)}x`
        : unit === 'ms'
          ? `${value.toFixed(1)} ms`
          : `${value.toFixed(2)} ${unit}`;
  const names = [...embedded.keys()].filter((n) => n !== 'frames');
  const rows = names.map(
    (name) =>
      `| ${name} | ${show(median(embedded, name), units.get(name) ?? '')} | ${show(median(nats, name), units.get(name) ?? '')} |`,
  );
  const frames = median(embedded, 'frames');
  writeBenchSection(
    'delegated-inference',
    `## Delegated streaming inference (\`bench/delegated-inference.bench.ts\`)

${await machineLine()}, ${new Date().toISOString().slice(0, 10)}. Load average (1 / 5 / 15 min): ${loadBefore} at the start, ${loadLine()} at the end.

The \`delegated-inference\` scenario (\`vc scenario run delegated-inference\`): a device with the right to write its frame only streams ${frames} generated 64 x 64 frames, each sealed to the attested enclave over the chunked stream; the enclave runs the object-detection example under the policy's tiny budget; only the owner reads each prediction, checked against the TypeScript reference detector. ${RUNS} runs per mode (seeds 1 to ${RUNS}), median over the runs of each figure. A frame's latency is the device's upload plus the owner's execution and read of its prediction (each participant a fresh session, as the scenario's rounds are); the detector is compiled once per process, on the first frame of the first run (a slow frame in that run's p95 only). Bytes on the bus: every signed message of the computation and its sealed bulk chunks, attestation and set-up included; plaintext: the frames and predictions, and the program, model and labels.

| figure | embedded | NATS (private nats-server) |
|---|---|---|
${rows.join('\n')}`,
  );
  console.log(rows.join('\n'));
}

await main();
process.exit(0);
