// `vc computations list | show ID | stop ID`: the computation registry (JetStream KV bucket
// <ns>_computations, vc_computations) as an operator sees it, in the habit of `nats stream ls` and `temporal workflow
// list/describe/terminate`. `stop` is executed by the host holding the computation: it ends the
// worker, marks the entry stopped and tells the participants (ERR_COMPUTATION_STOPPED).
import { UsageError, ProtocolError } from '../../protocol/index.js';
import { NatsTransport } from '../../transport/index.js';
import { openNatsRegistry, stopComputation, type ComputationView } from '../../actors/index.js';
import { NATS_OPTIONS, NATS_USAGE, natsSettingsFrom } from '../nats-options.js';
import { parseOptions, type CliIo, type Command } from '../command.js';

const usage = `Usage: vc computations list [NATS OPTIONS] [--json]
       vc computations show ID [NATS OPTIONS] [--json]
       vc computations stop ID [NATS OPTIONS] [--json] [--timeout SECONDS]

The computation registry: one entry per computation, written by the host holding it. States:
launching, attested, provisioning, running, then finished, failed or stopped. A live entry whose
host stopped heartbeating reads as failed (ERR_HOST_LOST).
  list          every entry: id, state, host, worker, platform, age, failure code
  show ID       one entry (ERR_COMPUTATION_UNKNOWN when there is none)
  stop ID       ask the host holding ID to end it: its worker ends, the entry is marked stopped and
                the participants are told ERR_COMPUTATION_STOPPED; when that host is gone, the
                entry is marked failed (ERR_HOST_LOST)
  --timeout S   how long the host has to answer a stop (default 10)
  --json        machine-readable output
${NATS_USAGE}`;

function age(from: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(from)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

function table(entries: readonly ComputationView[]): string {
  const rows = [
    ['ID', 'STATE', 'HOST', 'WORKER', 'PLATFORM', 'AGE', 'FAILURE'],
    ...entries.map((e) => [
      e.computation,
      e.lost ? 'failed (lost)' : e.state,
      e.host,
      e.worker,
      e.platform,
      age(e.createdAt),
      e.failure?.code ?? '',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function describe(entry: ComputationView): string {
  const lines = [
    `computation  ${entry.computation}`,
    `state        ${entry.state}${entry.lost ? ' (its host stopped heartbeating)' : ''}`,
    `host         ${entry.host}`,
    `worker       ${entry.worker}`,
    `platform     ${entry.platform}`,
    `policy hash  ${entry.policyHash}`,
    `participants ${entry.participants.join(', ') || '(unknown)'}`,
    `created      ${entry.createdAt}`,
    `updated      ${entry.updatedAt}`,
    `heartbeat    ${entry.heartbeatAt}`,
  ];
  if (entry.failure) lines.push(`failure      ${entry.failure.code}: ${entry.failure.message}`);
  return lines.join('\n');
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions({
    args: argv,
    allowPositionals: true,
    options: {
      ...NATS_OPTIONS,
      json: { type: 'boolean' },
      timeout: { type: 'string' },
    },
  });
  const [sub, id, ...extra] = positionals;
  const takesId = sub === 'show' || sub === 'stop';
  if (!sub || !subcommands.includes(sub) || extra.length > 0 || takesId !== (id !== undefined))
    throw new UsageError(usage);
  const timeout = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!(timeout > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const settings = natsSettingsFrom(values);
  const bus = await NatsTransport.connect({ ...settings, name: 'vc-computations' });
  try {
    const registry = await openNatsRegistry(bus.connection, { subjects: bus.subjects });
    if (sub === 'list') {
      const entries = await registry.list();
      io.out(
        values.json ? JSON.stringify(entries) : entries.length ? table(entries) : 'no computations',
      );
      return 0;
    }
    const computation = id!;
    if (sub === 'show') {
      const entry = await registry.show(computation);
      if (!entry)
        throw new ProtocolError(
          'ERR_COMPUTATION_UNKNOWN',
          `no computation ${computation} in the registry`,
          {
            details: { computation },
          },
        );
      io.out(values.json ? JSON.stringify(entry) : describe(entry));
      return 0;
    }
    const stopped = await stopComputation({
      bus,
      registry,
      computation,
      timeoutMs: timeout * 1000,
    });
    if (values.json)
      io.out(JSON.stringify({ ok: true, outcome: stopped.outcome, entry: stopped.entry }));
    else
      io.out(
        {
          stopped: `stopped ${computation} on host ${stopped.entry.host} (worker ${stopped.entry.worker} ended; participants told ERR_COMPUTATION_STOPPED)`,
          lost: `host ${stopped.entry.host} is gone: ${computation} marked failed (ERR_HOST_LOST)`,
          ended: `${computation} had already ended: ${stopped.entry.state}${stopped.entry.failure ? ` (${stopped.entry.failure.code})` : ''}`,
        }[stopped.outcome],
      );
    return 0;
  } finally {
    await bus.close().catch(() => undefined);
  }
}

const subcommands = ['list', 'show', 'stop'];

export const command: Command = {
  name: 'computations',
  usage,
  subcommands,
  run,
};
