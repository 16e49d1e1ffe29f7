// Where the time goes (issue 17): runs workloads under `node --cpu-prof` and prints the functions and
// files with the most self time, then writes them to the `profile` section of docs/benchmarks.md.
//   npm run profile                 all workloads
//   npm run profile -- sustained    one of: sustained, launch, upload, cli
//   npm run profile -- --label before   into a section of its own, `profile-before`
// Workloads (each in a child process of its own):
// - sustained: four lanes of small computations over NATS with the JetStream journal, in-process
//   enclave workers (the protocol bench's sustained rate); only samples after the warm-up count;
// - launch: launches with the enclave worker as its own process (spawn to `enclave.ready`, then
//   shutdown); the launcher's process and each worker process are profiled;
// - upload: a participant's sealed upload over NATS with the JetStream journal;
// - cli: `vc --help` as a user runs it.
// Not a `*.bench.ts`: `npm run bench` does not run it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { natsBus, startSystem } from '../actors/index.js';
import { ensureRuntimeBundle, shutdownWorkers } from '../enclave/index.js';
import { identities, policyFor, wasmOf } from '../scenarios/testing/index.js';
import { startNatsServer } from '../transport/index.js';
import { loadLine, machineLine, writeBenchSection } from './report.js';
import { sustainedRate, upload } from './workloads.js';

const SECONDS = Number(process.env['VC_PROFILE_SECONDS'] ?? 10);
const LAUNCHES = Number(process.env['VC_PROFILE_LAUNCHES'] ?? 5);
const UPLOAD_MIB = Number(process.env['VC_PROFILE_UPLOAD_MIB'] ?? 50);
const TOP_FUNCTIONS = 15;
const TOP_FILES = 10;
const root = fileURLToPath(new URL('..', import.meta.url));
const self = fileURLToPath(import.meta.url);
/** A child prints this, then the monotonic time in µs, when its measured phase begins. */
const STEADY = 'vc-profile-steady ';

// ---- workloads (child side) ----

async function sustainedWorkload(): Promise<void> {
  const server = await startNatsServer({ config: 'max_payload: 1048576' });
  const system = await startSystem({
    bus: await natsBus({ servers: server.url, journal: { kind: 'jetstream' } }),
  });
  await sustainedRate(system, 4, 2); // warm-up: code loaded and optimised, workers spawned
  console.log(`${STEADY}${process.hrtime.bigint() / 1000n}`);
  const { rate, failures } = await sustainedRate(system, 4, SECONDS);
  console.log(`${rate.toFixed(1)} computations/s, ${failures.length} failed`);
  await system.stop();
  await server.stop();
  await shutdownWorkers();
}

async function uploadWorkload(): Promise<void> {
  const server = await startNatsServer({ config: 'max_payload: 1048576' });
  const system = await startSystem({
    bus: await natsBus({ servers: server.url, journal: { kind: 'jetstream' } }),
  });
  const [warm, measured] = await identities(2, 'profile');
  await upload(system, warm!, 4); // warm-up
  console.log(`${STEADY}${process.hrtime.bigint() / 1000n}`);
  console.log(`upload: ${(await upload(system, measured!, UPLOAD_MIB)).toFixed(1)} MiB/s`);
  await system.stop();
  await server.stop();
  await shutdownWorkers();
}

/**
 * A runtime bundle that profiles itself: node refuses --cpu-prof in NODE_OPTIONS and the host spawns
 * its workers with fixed flags, so the worker's profiler is started from inside (node:inspector)
 * before the real bundle loads, and its profile written at exit. Only for profiling: the system
 * takes this file's measurement as a reference value (startSystem's runtimeBundle).
 */
async function profilingBundle(dir: string): Promise<string> {
  const wrapper = join(dir, 'profiling-runtime.mjs');
  const bundle = pathToFileURL(await ensureRuntimeBundle()).href;
  writeFileSync(
    wrapper,
    `import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.on('exit', () =>
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(${JSON.stringify(dir)} + '/CPU.0.0.' + process.pid + '.0.1.cpuprofile', JSON.stringify(result.profile));
  }),
);
await import(${JSON.stringify(bundle)});
`,
  );
  return wrapper;
}

async function launchWorkload(): Promise<void> {
  const server = await startNatsServer();
  const workerDir = process.env['VC_PROFILE_WORKER_DIR'];
  const system = await startSystem({
    bus: await natsBus({ servers: server.url, journal: { kind: 'recorder' } }),
    workers: 'process',
    ...(workerDir === undefined ? {} : { runtimeBundle: await profilingBundle(workerDir) }),
  });
  const wasm = wasmOf('linear-regression');
  const owners = await identities(LAUNCHES, 'profile');
  // The launcher's own samples count from here (its modules loaded); each worker's from its spawn.
  console.log(`${STEADY}${process.hrtime.bigint() / 1000n}`);
  for (const owner of owners) {
    const policy = policyFor(system, {
      participants: [{ identity: owner, capabilities: ['/program/:wx', '/output/:r'] }],
      programs: [
        { path: '/program/linear-regression.wasm', bytes: wasm, capabilities: ['/output/:w'] },
      ],
    });
    const start = performance.now();
    await system.launch(policy, { verify: false });
    console.log(`launch to ready: ${(performance.now() - start).toFixed(0)} ms`);
  }
  await system.stop();
  await server.stop();
  await shutdownWorkers();
}

// ---- profiles (parent side) ----

interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time (µs) per function and per file, of samples taken at or after `fromUs` (monotonic µs). */
function selfTimes(
  profile: CpuProfile,
  fromUs: number,
  functions: Map<string, number>,
  files: Map<string, number>,
): void {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromUs) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0; // the time until the next sample belongs to this one
    const frame = frames.get(profile.samples[i]!);
    if (frame === undefined) continue;
    const file = fileOf(frame.url, frame.functionName);
    // Our .ts sources run transpiled by tsx: their line numbers are the transpiled file's, left out.
    const line = file.endsWith('.ts') ? '' : `:${frame.lineNumber + 1}`;
    const name = `${frame.functionName || '(anonymous)'}${frame.url ? ` ${file}${line}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + dt);
    files.set(file, (files.get(file) ?? 0) + dt);
  }
}

/** A file's short name: a package for node_modules, a path in the repository, or node's own. */
function fileOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return `npm:${pkg[1]}`;
  if (path.startsWith(root)) return path.slice(root.length);
  return path;
}

interface Profiled {
  readonly name: string;
  readonly what: string;
  readonly groups: readonly {
    label: string;
    functions: Map<string, number>;
    files: Map<string, number>;
  }[];
  readonly note: string;
}

async function profileChild(
  name: string,
  what: string,
  args: readonly string[],
  options: { workersToo?: boolean } = {},
): Promise<Profiled> {
  const dir = mkdtempSync(join(tmpdir(), `vc-profile-${name}-`));
  const env = options.workersToo ? { ...process.env, VC_PROFILE_WORKER_DIR: dir } : process.env;
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    process.stdout.write(chunk);
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`profile ${name}: child exited ${code}`);
  const steadyLine = out.split('\n').find((l) => l.startsWith(STEADY));
  const fromUs = steadyLine === undefined ? 0 : Number(steadyLine.slice(STEADY.length));
  const groups = new Map<string, { functions: Map<string, number>; files: Map<string, number> }>();
  let note = '';
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
    const [, , , pid, thread] = file.split('.');
    const label =
      Number(pid) === child.pid
        ? thread === '0'
          ? 'main thread'
          : 'worker threads (tsx loader hooks, sandbox executions)'
        : 'enclave worker processes';
    const group = groups.get(label) ?? { functions: new Map(), files: new Map() };
    groups.set(label, group);
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    // Samples before the measured phase do not count: a thread that ended before it is left out,
    // one that started after it counts whole. The main thread must contain the marker.
    const from = label === 'enclave worker processes' ? 0 : fromUs;
    if (from > profile.endTime) continue;
    if (label === 'main thread' && from > 0 && from < profile.startTime)
      note = ' (the steady-phase marker fell before the profile: all samples counted)';
    selfTimes(profile, from, group.functions, group.files);
  }
  rmSync(dir, { recursive: true, force: true });
  const order = [
    'main thread',
    'worker threads (tsx loader hooks, sandbox executions)',
    'enclave worker processes',
  ];
  return {
    name,
    what,
    note,
    groups: order.filter((l) => groups.has(l)).map((label) => ({ label, ...groups.get(label)! })),
  };
}

function top(map: Map<string, number>, n: number, total: number): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, us]) =>
        `| \`${k.replace(/\|/g, '\\|')}\` | ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)}% |`,
    );
}

function markdownOf(p: Profiled): string {
  const parts = [`### ${p.name}: ${p.what}${p.note}`];
  for (const g of p.groups) {
    const total = [...g.files].reduce((s, [k, v]) => (k === '(idle)' ? s : s + v), 0);
    if (total === 0) continue;
    const idle = g.files.get('(idle)') ?? 0;
    g.files.delete('(idle)');
    g.functions.delete('(idle)');
    parts.push(
      '',
      `**${g.label}**: ${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle (percentages of busy time).`,
      '',
      '| function (self time) | ms | share |',
      '|---|---|---|',
      ...top(g.functions, TOP_FUNCTIONS, total),
      '',
      '| file or package (self time) | ms | share |',
      '|---|---|---|',
      ...top(g.files, TOP_FILES, total),
    );
  }
  return parts.join('\n');
}

/** The checkout's commit, so that profiles before and after a change can be told apart. */
function commit(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

async function main(which: readonly string[], label: string | undefined): Promise<void> {
  const loadBefore = loadLine();
  const tsx = ['--import', 'tsx', self];
  const all = {
    sustained: () =>
      profileChild(
        'sustained',
        `four workers running small computations for ${SECONDS} s over NATS (JetStream journal, in-process enclave workers), after a 2 s warm-up that is not counted`,
        [...tsx, '--workload', 'sustained'],
      ),
    launch: () =>
      profileChild(
        'launch',
        `${LAUNCHES} launches with the enclave worker as its own process (launch request to \`enclave.ready\`), the launcher's process once its modules are loaded, and each worker process from its start (all workers summed)`,
        [...tsx, '--workload', 'launch'],
        { workersToo: true },
      ),
    upload: () =>
      profileChild(
        'upload',
        `a participant's ${UPLOAD_MIB} MiB sealed upload over NATS (JetStream journal, in-process enclave worker), after a 4 MiB warm-up that is not counted`,
        [...tsx, '--workload', 'upload'],
      ),
    cli: () => profileChild('cli', '`vc --help`, the whole process', ['bin/vc.mjs', '--help']),
  } as const;
  const names = (which.length > 0 ? which : Object.keys(all)) as (keyof typeof all)[];
  const sections: string[] = [];
  for (const name of names) {
    const run = all[name];
    if (run === undefined)
      throw new Error(`unknown workload ${name}; one of ${Object.keys(all).join(', ')}`);
    const profiled = await run();
    const md = markdownOf(profiled);
    console.log(`\n${md}\n`);
    sections.push(md);
  }
  writeBenchSection(
    label === undefined ? 'profile' : `profile-${label}`,
    `## Where the time goes${label === undefined ? '' : `, ${label}`} (\`bench/profile.ts\`, \`npm run profile\`)

${await machineLine()}, ${new Date().toISOString().slice(0, 10)}, code at commit ${commit()}; load average (1 / 5 / 15 min) ${loadBefore} at the start, ${loadLine()} at the end. Self time per function and per file or package, from \`node --cpu-prof\` profiles of each workload (sampled, so small entries are noisy; \`(program)\` is native work outside JavaScript such as module loading and crypto, \`(garbage collector)\` is GC).

${sections.join('\n\n')}`,
  );
}

const args = process.argv.slice(2);
if (args[0] === '--workload' && args[1] === 'sustained') await sustainedWorkload();
else if (args[0] === '--workload' && args[1] === 'launch') await launchWorkload();
else if (args[0] === '--workload' && args[1] === 'upload') await uploadWorkload();
else {
  // `--label before`: a section of its own (profile-before), kept when later runs write `profile`.
  const at = args.indexOf('--label');
  const label = at >= 0 ? args[at + 1] : undefined;
  await main(at >= 0 ? args.filter((_, i) => i !== at && i !== at + 1) : args, label);
}
process.exit(0);
