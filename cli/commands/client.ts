// `vc client POLICY`: Veracruz's `vc-client`. Finds the computation of POLICY, checks the enclave
// (certificate chain to proxy_service_cert, validity, measurement, policy hash) before anything
// secret leaves, then performs the requested operations in the order given on the command line.
import { writeFile } from 'node:fs/promises';
import {
  UsageError,
  VcError,
  type Identity,
  type LoadedPolicy,
  loadIdentity,
  ProtocolError,
  loadPolicyFile,
  parseCertificatePem,
} from '../../protocol/index.js';
import {
  NatsTransport,
  UPLOAD_CHUNK_BYTES,
  type NatsConnectionSettings,
} from '../../transport/index.js';
import { NATS_OPTIONS, NATS_USAGE, natsSettingsFrom } from '../nats-options.js';
import type { Step } from '../../machines/index.js';
import { certificateSenderId, openNatsRegistry, runParticipant } from '../../actors/index.js';
import {
  checkInputFiles,
  checkOutputFile,
  outputError,
  parseTimeoutSeconds,
  progressBar,
  renamablePaths,
  withDeadline,
} from '../support.js';
import { parseOptions, readHostFile, type CliIo, type Command } from '../command.js';
import { dataDirFiles } from '../data-dir.js';

const usage = `Usage: vc client POLICY --identity CERT --key KEY [--program PATH=FILE]... [--data PATH=FILE]...
                 [--data-dir DIR=PREFIX]... [--append PATH=FILE]... [--compute PROGRAM_PATH]... [--pipeline NAME]...
                 [--result PATH=FILE|-]... [--shutdown] [NATS OPTIONS] [--computation ID]
                 [--timeout SECONDS] [--json]
       vc client POLICY -i CERT -k KEY [-p [NAME=]FILE]... [-d [NAME=]FILE]... [-c PATH]...
                 [-o [NAME=]FILE|-]... [-n] [-s] [-q]          (Veracruz's vc-client spellings)

Acts as one participant of POLICY's computation (started with vc launch). Before connecting it
checks its files (inputs readable, result folders writable), the identity (key matching the
certificate, certificate valid now, named by POLICY) and the policy (not expired). Before sending
anything it checks the enclave: one runs for the computation (ERR_NO_ENCLAVE within seconds
otherwise) with POLICY's hash, its chain leads to the policy's proxy_service_cert, it is valid now,
its measurement is among the policy's runtime hashes. Operations run in the order given:
  --program PATH=FILE   provision a program at PATH (e.g. /program/a.wasm), sealed to the enclave
  --data PATH=FILE      provision (or replace) a data file; --append PATH=FILE appends to it;
                        the path stdin feeds the programs' standard input
  --data-dir DIR=PREFIX provision every file under the folder DIR (sub-folders kept, sorted) at
                        PREFIX/<its path in DIR>, e.g. --data-dir macd=/input/macd/
  --compute PATH        run a provisioned program
  --pipeline NAME       run a pipeline of the policy (by name: "0", "1", ...)
  --result PATH=FILE    read a result into FILE (- for standard output); the paths stdout and
                        stderr are what the programs wrote there (r on them needed)
  --shutdown            ask for the computation's end (by the policy's shutdown rule)
  --computation ID      the computation to join (default: the one POLICY's hash names)
  --timeout SECONDS     bound on the whole command (ERR_TIMEOUT past it); a lost enclave is
                        noticed within seconds regardless (ERR_ENCLAVE_LOST)
  --json                one JSON report on standard output
PATH=FILE may also be a bare FILE (the enclave path is then FILE itself, with a leading /) or a
comma-separated list of either, and FILE - is standard input (for --program/--data), as vc-client.
Veracruz's vc-client spellings are accepted too: -i/--identity, -k/--key, -p/--program
(--programs), -d/--data (--datas), -c/--compute (--computes), -o/--output (--outputs, --result,
--results), -n/--no-shutdown, -s/--shutdown, -q/--quiet (no progress lines). A command line using
any spelling only vc-client has (a short flag, --output, --outputs, --results, --programs,
--datas, --computes, --no-shutdown or --quiet) runs as vc-client does: all programs, then all
data, then the computations, then the results, then a shutdown request if results were read
(unless -n) or -s was given. docs/veracruz.md maps every Veracruz command and flag.
Exit 0 when everything succeeded, 1 with the refusal's code otherwise.
${NATS_USAGE}`;

/** Each flag (every spelling) and the operation it stands for. */
const FLAGS = {
  program: 'program',
  programs: 'program',
  data: 'data',
  datas: 'data',
  'data-dir': 'data-dir',
  append: 'append',
  compute: 'compute',
  computes: 'compute',
  pipeline: 'pipeline',
  result: 'result',
  results: 'result',
  output: 'result',
  outputs: 'result',
  shutdown: 'shutdown',
} as const;

/** Spellings only Veracruz's vc-client has: with any of them, vc client runs as vc-client does. */
const VC_CLIENT_ONLY = new Set([
  '-i',
  '-k',
  '-p',
  '-d',
  '-c',
  '-o',
  '-n',
  '-s',
  '-q',
  '--programs',
  '--datas',
  '--computes',
  '--output',
  '--outputs',
  '--results',
  '--no-shutdown',
  '--quiet',
]);

interface Plan {
  readonly steps: Step[];
  readonly sources: Map<string, string>;
}

interface Token {
  readonly kind: string;
  readonly name?: string;
  readonly rawName?: string;
  readonly value?: string | undefined;
}

/** vc-client's order: programs, data, computations, results (stable within each). */
const VC_CLIENT_RANK: Record<Step['op'], number> = {
  program: 0,
  data: 1,
  compute: 2,
  pipeline: 2,
  result: 3,
  shutdown: 4,
};

function planOf(tokens: readonly Token[], vcClient: boolean): Plan {
  let steps: Step[] = [];
  const sources = new Map<string, string>();
  let shutdown = false;
  let noShutdown = false;
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'no-shutdown') noShutdown = true;
    if (!isStepFlag(token.name)) continue;
    const flag = token.rawName ?? `--${token.name}`;
    const value = token.value ?? '';
    const op = FLAGS[token.name];
    switch (op) {
      case 'program':
      case 'data':
      case 'append':
        for (const { path, file } of renamablePaths(value, flag)) {
          const source = `${steps.length}:${file}`;
          sources.set(source, file);
          steps.push(
            op === 'program'
              ? { op: 'program', path, source }
              : {
                  op: 'data',
                  path,
                  source,
                  mode: op === 'append' ? 'append' : path === 'stdin' ? 'stdin' : 'write',
                },
          );
        }
        break;
      case 'data-dir':
        for (const { path, file } of dataDirFiles(value)) {
          const source = `${steps.length}:${file}`;
          sources.set(source, file);
          steps.push({ op: 'data', path, source, mode: 'write' });
        }
        break;
      case 'compute':
        // As vc-client: an enclave path without its leading / gets one.
        steps.push({ op: 'compute', program: value.startsWith('/') ? value : `/${value}` });
        break;
      case 'pipeline':
        steps.push({ op: 'pipeline', pipeline: value });
        break;
      case 'result':
        for (const { path, file } of renamablePaths(value, flag))
          steps.push({ op: 'result', path, destination: file });
        break;
      case 'shutdown':
        if (vcClient) shutdown = true;
        else steps.push({ op: 'shutdown' });
    }
  }
  if (vcClient) {
    steps = steps
      .map((step, at) => ({ step, at }))
      .sort((a, b) => VC_CLIENT_RANK[a.step.op] - VC_CLIENT_RANK[b.step.op] || a.at - b.at)
      .map(({ step }) => step);
    const read = steps.some((step) => step.op === 'result');
    if ((read && !noShutdown) || shutdown) steps.push({ op: 'shutdown' });
  }
  return { steps, sources };
}

function isStepFlag(name: string | undefined): name is keyof typeof FLAGS {
  return name !== undefined && Object.hasOwn(FLAGS, name);
}

function describe(step: Step, body: Record<string, unknown>): string {
  switch (step.op) {
    case 'program':
    case 'data':
      return `provisioned ${step.path} (${String(body['received'])} bytes${step.op === 'data' ? `, ${step.mode}` : ''})`;
    case 'compute':
    case 'pipeline':
      return `computed ${step.op === 'compute' ? step.program : `pipeline ${step.pipeline}`}: exit code ${String(body['exitCode'])}`;
    case 'result':
      return `read ${step.path} (${String(body['size'])} bytes) into ${step.destination === '-' ? 'standard output' : step.destination}`;
    case 'shutdown':
      return body['shutDown']
        ? 'computation shut down'
        : `shutdown requested; waiting for ${JSON.stringify(body['waitingFor'])}`;
  }
}

export const command: Command = {
  name: 'client',
  usage,
  async run(argv, io) {
    const { values, positionals, tokens } = parseOptions({
      args: argv,
      allowPositionals: true,
      tokens: true,
      options: {
        identity: { type: 'string', short: 'i' },
        key: { type: 'string', short: 'k' },
        program: { type: 'string', multiple: true, short: 'p' },
        programs: { type: 'string', multiple: true },
        data: { type: 'string', multiple: true, short: 'd' },
        datas: { type: 'string', multiple: true },
        'data-dir': { type: 'string', multiple: true },
        append: { type: 'string', multiple: true },
        compute: { type: 'string', multiple: true, short: 'c' },
        computes: { type: 'string', multiple: true },
        pipeline: { type: 'string', multiple: true },
        result: { type: 'string', multiple: true },
        results: { type: 'string', multiple: true },
        output: { type: 'string', multiple: true, short: 'o' },
        outputs: { type: 'string', multiple: true },
        shutdown: { type: 'boolean', short: 's' },
        'no-shutdown': { type: 'boolean', short: 'n' },
        quiet: { type: 'boolean', short: 'q' },
        ...NATS_OPTIONS,
        computation: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const [policyFile] = positionals;
    if (!policyFile || positionals.length > 1 || !values.identity || !values.key)
      throw new UsageError(usage);
    const vcClient = tokens.some(
      (token) => token.kind === 'option' && VC_CLIENT_ONLY.has(token.rawName),
    );
    const plan = planOf(tokens, vcClient); // ERR_USAGE for a malformed PATH=FILE
    const timeoutMs = parseTimeoutSeconds(values.timeout);
    const computation = values.computation;
    if (computation !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(computation))
      throw new UsageError(`--computation expects an id of letters, digits, _ and -`);
    // Everything that can be known without the network is checked before connecting.
    const files = [...plan.sources.values()].filter((file) => file !== '-');
    await checkInputFiles([policyFile, values.identity, values.key, ...files]);
    for (const step of plan.steps)
      if (step.op === 'result' && step.destination !== '-')
        await checkOutputFile(step.destination, { overwrite: true });
    const identity = await loadIdentity(values.identity, values.key); // ERR_IDENTITY_KEY_MISMATCH
    checkValidNow(identity.certificate, values.identity);
    const policy = await loadPolicyFile(policyFile); // ERR_POLICY_EXPIRY_PASSED when expired
    const sender = certificateSenderId(new Uint8Array(identity.certificate.rawData));
    const known = policy.policy.identities.find(
      (i) =>
        certificateSenderId(new Uint8Array(parseCertificatePem(i.certificate).rawData)) === sender,
    );
    if (!known)
      throw new ProtocolError(
        'ERR_UNKNOWN_PARTICIPANT',
        `${values.identity} is not an identity of the policy`,
      );
    const nats = natsSettingsFrom(values);
    return withDeadline(timeoutMs, () =>
      participate(
        io,
        {
          policy,
          identity,
          plan,
          known: known.id,
          nats,
          computation,
          timeoutMs,
          quiet: values.quiet ?? false,
        },
        values.json ?? false,
      ),
    );
  },
};

interface Participation {
  readonly policy: LoadedPolicy;
  readonly identity: Identity;
  readonly plan: Plan;
  readonly known: number;
  readonly nats: NatsConnectionSettings;
  readonly computation: string | undefined;
  /** --timeout: also the bound on each wait for a reply, so none outlives the command. */
  readonly timeoutMs: number | undefined;
  /** -q/--quiet: no progress lines on standard error. */
  readonly quiet: boolean;
}

async function participate(io: CliIo, p: Participation, json: boolean): Promise<number> {
  const { policy, identity, plan, known } = p;
  const bus = await NatsTransport.connect({ ...p.nats, name: `vc-client-${known}` });
  const stdout: Uint8Array[] = [];
  try {
    const result = await runParticipant({
      bus,
      policy,
      identity,
      steps: plan.steps,
      // With no enclave for this policy, the registry may know one that names this identity under
      // another policy (one byte different): then the answer is both hashes, not "no enclave".
      findComputationsNaming: async (sender) => {
        try {
          return await (
            await openNatsRegistry(bus.connection, { subjects: bus.subjects })
          ).findComputationsNaming(sender);
        } catch {
          return []; // no registry (no JetStream): "no enclave" stands
        }
      },
      readSource: (label) => {
        const file = plan.sources.get(label) ?? label;
        return file === '-' ? standardInput() : readHostFile(file);
      },
      writeResult: async (file, bytes) => {
        if (file === '-') return void stdout.push(bytes);
        await writeFile(file, bytes).catch((error: unknown) => {
          throw outputError(file, error);
        });
      },
      onProgress: (progressed) => progress(io, json || p.quiet, progressed),
      ...(p.computation === undefined ? {} : { computation: p.computation }),
      ...(p.timeoutMs === undefined ? {} : { timeoutMs: p.timeoutMs }),
    });
    const lines = result.outcomes.map((o) => ({
      step: plan.steps[o.step],
      kind: o.kind,
      body: o.body,
    }));
    if (json) {
      io.out(
        JSON.stringify({
          ok: result.ok,
          participant: known,
          state: result.state,
          steps: lines,
          ...(result.failure ? { error: result.failure } : {}),
        }),
      );
    } else if (!p.quiet) {
      for (const line of lines) io.err(describe(line.step!, line.body));
    }
    for (const bytes of stdout) process.stdout.write(bytes);
    if (!result.ok && result.failure) {
      if (json) return 1;
      throw ProtocolError.fromWire(result.failure);
    }
    return result.ok ? 0 : 1;
  } finally {
    await bus.close().catch(() => undefined);
  }
}

let stdinBytes: Promise<Uint8Array> | undefined;

/** This process's standard input, read once (vc-client's FILE `-`: several steps share it). */
function standardInput(): Promise<Uint8Array> {
  stdinBytes ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  })();
  return stdinBytes;
}

/** The participant's own certificate must be valid now (checked before connecting). */
function checkValidNow(
  certificate: { readonly notBefore: Date; readonly notAfter: Date },
  file: string,
): void {
  const now = new Date();
  const details = {
    file,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
  };
  if (certificate.notAfter.getTime() < now.getTime())
    throw new VcError(
      'ERR_IDENTITY_CERTIFICATE_EXPIRED',
      `${file} expired at ${details.notAfter}`,
      { details },
    );
  if (certificate.notBefore.getTime() > now.getTime())
    throw new VcError(
      'ERR_IDENTITY_CERTIFICATE_NOT_YET_VALID',
      `${file} is valid only from ${details.notBefore}`,
      { details },
    );
}

function progress(
  io: CliIo,
  json: boolean,
  p: { path: string; sent: number; total: number },
): void {
  if (json || p.total <= UPLOAD_CHUNK_BYTES) return;
  if (io.isTty)
    process.stderr.write(
      `\r${progressBar(p.path, p.sent, p.total)}${p.sent === p.total ? '\n' : ''}`,
    );
  else if (
    p.sent === p.total ||
    Math.floor((p.sent / p.total) * 4) !== Math.floor(((p.sent - UPLOAD_CHUNK_BYTES) / p.total) * 4)
  ) {
    io.err(progressBar(p.path, p.sent, p.total));
  }
}
