// `vc scenario list|run|prepare|new`: the end-to-end use cases in scenarios/ and scenario files
// written outside the repository (docs/writing-a-scenario.md), run embedded (default), over NATS,
// or with every actor as its own OS process; live phases, then a checked result.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../protocol/index.js';
import {
  FLAGSHIP,
  resolveScenario,
  scaffoldScenario,
  scenarios,
  header,
  narrator,
  summary,
  layoutOf,
  prepareDirectory,
  reportJson,
  runScenario,
  type ScenarioReport,
  modeDescription,
  openEnvironment,
  prepareIn,
} from '../../scenarios/index.js';
import { parseOptions, type CliIo, type Command } from '../command.js';
import { checkOutputFolder, outputError, parseTimeoutSeconds, withDeadline } from '../support.js';
import {
  NATS_OPTIONS,
  NATS_USAGE,
  REPLICAS_OPTION,
  natsSettingsFrom,
  replicasFrom,
} from '../nats-options.js';

const usage = `Usage:
  vc scenario list [--json]
  vc scenario new NAME [--dir DIR]
  vc scenario run NAME|FILE [--nats URL [NATS OPTIONS] [--replicas N]] [--processes] [--journal FILE]
                  [--seed N] [--timeout SECONDS] [--json]
  vc scenario prepare NAME|FILE --out DIR [--seed N] [--json]

list   the scenarios: use cases with their parties, programs, data generators and expected results.
new    writes NAME.yaml (a scenario file, docs/scenario.schema.json) and NAME.ts (its TypeScript
       module) into DIR (default: the current folder), ready to run and to edit; see
       docs/writing-a-scenario.md.
run    runs one end to end (a scenario of the list, or a scenario FILE: NAME.yaml, .yml or .json) with fresh throw-away identities, a fresh verifier CA and a policy made
       by the policy generator; prints each party's phases as they happen, then the result checked
       against the reference implementation, the time per phase, the journal and how to replay it.
       Exit 0 when the result matches, 1 otherwise.
  --nats URL     actors in this process talking over the NATS server at URL (default: embedded,
                 everything in this process over the in-memory bus, no servers); --context NAME
                 does the same with a nats context's server. With the NATS options below
                 (credentials, TLS, --namespace) and --replicas N (the journal read back from
                 its JetStream stream with N copies)
  --processes    every actor its own OS process over NATS: vc verifier, vc host (which launches
                 enclave worker processes), vc launch, and each participant as vc client; with
                 --nats URL they use that server (each given the NATS options in its
                 environment: credentials, TLS, namespace), otherwise a private nats-server is
                 started
  --journal FILE where to write the protocol journal (default .vc/journals/NAME-TIME.vcj)
  --seed N       the data generators' seed (default 1)
  --timeout SECONDS  bound on the whole run (ERR_TIMEOUT past it; services are stopped)
  --json         the report as JSON (no live lines): the verdict, every party's results (size,
                 SHA-256 and, where the scenario knows the format, the decoded value), the
                 timings (launch, rounds, enclave phases, total) and the journal's path
prepare  writes what a deployment of NAME needs into DIR before any actor starts (used by
         --processes and docker-compose.yml): the verifier CA and state store (sim platform key
         endorsed, this installation's measurement referenced), the hosts' sim platform key,
         fresh identities, the policy, and each party's input files. See
         docs/running-across-machines.md.
The flagship scenario (npm start) is ${FLAGSHIP}.
${NATS_USAGE}`;

function list(argv: string[], io: CliIo): number {
  const { values } = parseOptions({ args: argv, options: { json: { type: 'boolean' } } });
  if (values.json) {
    io.out(
      JSON.stringify(scenarios.map((s) => ({ name: s.name, title: s.title, summary: s.summary }))),
    );
    return 0;
  }
  const width = Math.max(...scenarios.map((s) => s.name.length));
  const lines = scenarios.map(
    (s) =>
      `  ${s.name.padEnd(width)} ${s.title}${s.name === FLAGSHIP ? '  (flagship: npm start)' : ''}`,
  );
  io.out(['Scenarios (vc scenario run NAME):', ...lines].join('\n'));
  return 0;
}

async function prepare(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0 || !values.out)
    throw new UsageError(`expected a scenario name and --out DIR\n${usage}`);
  const scenario = await resolveScenario(name);
  const seed = seedOf(values.seed);
  const out = values.out;
  await checkOutputFolder(out);
  const run = await prepareDirectory(scenario, layoutOf(out), { seed }).catch((error: unknown) => {
    throw outputError(out, error);
  });
  if (values.json) {
    io.out(
      JSON.stringify({
        ok: true,
        dir: values.out,
        computation: run.computation,
        policyHash: run.policy.hash,
      }),
    );
  } else {
    io.out(
      `prepared ${name} in ${values.out}: policy ${run.policy.hash}, computation ${run.computation}`,
    );
  }
  return 0;
}

async function create(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions({
    args: argv,
    allowPositionals: true,
    options: { dir: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) throw new UsageError(`expected one scenario name\n${usage}`);
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name))
    throw new UsageError('a scenario name is kebab-case: lowercase letters, digits and -');
  const dir = values.dir ?? '.';
  const files = Object.entries(scaffoldScenario(name)).map(([file, text]) => ({
    path: join(dir, file),
    text,
  }));
  const taken = files.find((f) => existsSync(f.path));
  if (taken) throw new UsageError(`${taken.path} exists already: not overwriting it`);
  try {
    await mkdir(dir, { recursive: true });
    for (const f of files) await writeFile(f.path, f.text, { flag: 'wx' });
  } catch (error) {
    throw outputError(dir, error);
  }
  const written = files.map((f) => f.path);
  if (values.json) io.out(JSON.stringify({ ok: true, files: written }));
  else
    io.out(
      [
        `wrote ${written.join(' and ')}`,
        `run it:  npx vc scenario run ${written[0]}`,
        'edit it: docs/writing-a-scenario.md',
      ].join('\n'),
    );
  return 0;
}

function seedOf(text: string | undefined): number {
  const seed = text === undefined ? 1 : Number(text);
  if (!Number.isSafeInteger(seed)) throw new UsageError('--seed must be an integer');
  return seed;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions({
    args: argv,
    allowPositionals: true,
    options: {
      ...NATS_OPTIONS,
      ...REPLICAS_OPTION,
      processes: { type: 'boolean' },
      journal: { type: 'string' },
      seed: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) throw new UsageError(`expected one scenario name\n${usage}`);
  const timeoutMs = parseTimeoutSeconds(values.timeout);
  const scenario = await resolveScenario(name);
  const seed = seedOf(values.seed);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const journalFile = values.journal ?? join('.vc', 'journals', `${scenario.name}-${stamp}.vcj`);
  const json = values.json === true;
  const log = json ? () => undefined : (line: string) => io.out(line);
  // Services (--processes) speak up while the run is prepared: keep their lines for after the header.
  const early: string[] = [];
  let started = false;
  const serviceLog = (line: string) => (started ? log(line) : early.push(line));
  const overNats = values.nats !== undefined || values.context !== undefined;
  const nats = overNats ? natsSettingsFrom(values) : undefined;
  const replicas = replicasFrom(values);
  if (!overNats && replicas !== undefined)
    throw new UsageError('--replicas needs --nats URL (or --context NAME)');
  const choice = {
    ...(nats ? { nats } : {}),
    ...(replicas === undefined ? {} : { replicas }),
    ...(values.processes ? { processes: true } : {}),
    journalFile,
    log: serviceLog,
  };
  const env = await openEnvironment(choice);
  let report: ScenarioReport;
  try {
    report = await withDeadline(timeoutMs, async () => {
      const prepared = await prepareIn(env, scenario, seed);
      for (const line of header(prepared, modeDescription(env, choice))) log(line);
      started = true;
      for (const line of early) log(line);
      const now = () => performance.now();
      const narrate = narrator(log, now);
      return runScenario(prepared, env, { onEvent: (e) => narrate.onEvent(e), now });
    });
  } finally {
    await env.stop();
  }
  if (json) io.out(reportJson(report));
  else for (const line of summary(report)) io.out(line);
  return report.ok ? 0 : 1;
}

const subcommands = new Map<string, (argv: string[], io: CliIo) => number | Promise<number>>([
  ['list', list],
  ['run', run],
  ['prepare', prepare],
  ['new', create],
]);

export const command: Command = {
  name: 'scenario',
  usage,
  subcommands: [...subcommands.keys()],
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const subcommand = sub === undefined ? undefined : subcommands.get(sub);
    if (!subcommand)
      throw new UsageError(`expected ${[...subcommands.keys()].join(', ')}\n${usage}`);
    return subcommand(rest, io);
  },
};
