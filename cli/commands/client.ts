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
  pathAndFile,
  progressBar,
  withDeadline,
} from '../support.js';
import { parseOptions, readHostFile, type CliIo, type Command } from '../command.js';
import { dataDirFiles } from '../data-dir.js';

const usage = `Usage: vc client POLICY --identity CERT --key KEY [--program PATH=FILE]... [--data PATH=FILE]...
                 [--data-dir DIR=PREFIX]... [--append PATH=FILE]... [--compute PROGRAM_PATH]... [--pipeline NAME]...
                 [--result PATH=FILE|-]... [--shutdown] [NATS OPTIONS] [--computation ID]
                 [--timeout SECONDS] [--json]

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
  --result PATH=FILE    read a result into FILE (- for standard output)
  --shutdown            ask for the computation's end (by the policy's shutdown rule)
  --computation ID      the computation to join (default: the one POLICY's hash names)
  --timeout SECONDS     bound on the whole command (ERR_TIMEOUT past it); a lost enclave is
                        noticed within seconds regardless (ERR_ENCLAVE_LOST)
  --json                one JSON report on standard output
Exit 0 when everything succeeded, 1 with the refusal's code otherwise.
${NATS_USAGE}`;

const FLAGS = [
  'program',
  'data',
  'data-dir',
  'append',
  'compute',
  'pipeline',
  'result',
  'shutdown',
] as const;

interface Plan {
  readonly steps: Step[];
  readonly sources: Map<string, string>;
}

function planOf(
  tokens: readonly { kind: string; name?: string; value?: string | undefined }[],
): Plan {
  const steps: Step[] = [];
  const sources = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || !isStepFlag(token.name)) continue;
    const value = token.value ?? '';
    switch (token.name) {
      case 'program':
      case 'data':
      case 'append': {
        const { path, file } = pathAndFile(value, `--${token.name}`);
        const source = `${steps.length}:${file}`;
        sources.set(source, file);
        steps.push(
          token.name === 'program'
            ? { op: 'program', path, source }
            : {
                op: 'data',
                path,
                source,
                mode: token.name === 'append' ? 'append' : path === 'stdin' ? 'stdin' : 'write',
              },
        );
        break;
      }
      case 'data-dir':
        for (const { path, file } of dataDirFiles(value)) {
          const source = `${steps.length}:${file}`;
          sources.set(source, file);
          steps.push({ op: 'data', path, source, mode: 'write' });
        }
        break;
      case 'compute':
        steps.push({ op: 'compute', program: value });
        break;
      case 'pipeline':
        steps.push({ op: 'pipeline', pipeline: value });
        break;
      case 'result': {
        const { path, file } = value.endsWith('=-')
          ? { path: value.slice(0, -2), file: '-' }
          : pathAndFile(value, '--result');
        steps.push({ op: 'result', path, destination: file });
        break;
      }
      case 'shutdown':
        steps.push({ op: 'shutdown' });
    }
  }
  return { steps, sources };
}

function isStepFlag(name: string | undefined): name is (typeof FLAGS)[number] {
  return (FLAGS as readonly (string | undefined)[]).includes(name);
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
        identity: { type: 'string' },
        key: { type: 'string' },
        program: { type: 'string', multiple: true },
        data: { type: 'string', multiple: true },
        'data-dir': { type: 'string', multiple: true },
        append: { type: 'string', multiple: true },
        compute: { type: 'string', multiple: true },
        pipeline: { type: 'string', multiple: true },
        result: { type: 'string', multiple: true },
        shutdown: { type: 'boolean' },
        ...NATS_OPTIONS,
        computation: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const [policyFile] = positionals;
    if (!policyFile || positionals.length > 1 || !values.identity || !values.key)
      throw new UsageError(usage);
    const plan = planOf(tokens); // ERR_USAGE for a malformed PATH=FILE
    const timeoutMs = parseTimeoutSeconds(values.timeout);
    const computation = values.computation;
    if (computation !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(computation))
      throw new UsageError(`--computation expects an id of letters, digits, _ and -`);
    // Everything that can be known without the network is checked before connecting.
    await checkInputFiles([policyFile, values.identity, values.key, ...plan.sources.values()]);
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
        { policy, identity, plan, known: known.id, nats, computation, timeoutMs },
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
      readSource: (label) => readHostFile(plan.sources.get(label) ?? label),
      writeResult: async (file, bytes) => {
        if (file === '-') return void stdout.push(bytes);
        await writeFile(file, bytes).catch((error: unknown) => {
          throw outputError(file, error);
        });
      },
      onProgress: (progressed) => progress(io, json, progressed),
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
    } else {
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
