// `vc watch`: every phase of every actor, live, decoded. Subscribes to the journaled subjects on a
// NATS server and feeds each message to the shared decoder (actors' watchLive, the one `vc replay`
// reads journals with): machine transitions by the state they enter, protocol messages by kind,
// sender, recipient and size, refusals with their code; parties by their policy names.
import {
  loadPolicyFile,
  type LoadedPolicy,
  subjectsFor,
  UsageError,
} from '../../protocol/index.js';
import { NatsTransport, shownServers } from '../../transport/index.js';
import { watchLive, type RunEvent } from '../../actors/index.js';
import { parseOptions, type CliIo, type Command } from '../command.js';
import { NATS_OPTIONS, NATS_USAGE, natsSettingsFrom } from '../nats-options.js';
import { untilSignal } from '../signals.js';

const usage = `Usage: vc watch [NATS OPTIONS] [--computation ID] [--actor NAME]... [--policy FILE]... [--json]

Watches the protocol live until interrupted (Ctrl-C): every machine transition and every message
of every computation on the bus in its namespace (default ${subjectsFor().journal.join(', ')}), one line each: time,
computation and run, the actor (participants by their policy name: alice, bob; enclave, host,
verifier), for a transition the state it enters and the event that took it there, for a message
its kind, recipient and size; refusals show their ERR_* code.
  --computation ID    only this computation (its id, or the start of it)
  --actor NAME        only events of this actor, sent or received (repeatable)
  --policy FILE       a computation's policy, to name its parties when the watch starts after its
                      launch (the launch carries the policy; repeatable)
  --json              one JSON object per event and line (every field of the event; message
                      bodies decoded, binary fields as their length)
${NATS_USAGE}`;

/** `HH:MM:SS.mmm`, local time. */
function clock(time: number): string {
  const d = new Date(time);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function size(bytes: number): string {
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}

/** One human line per event. */
function formatEvent(event: RunEvent, colour: boolean): string {
  const code = event.code
    ? `  ${colour ? `\u001b[1;31m✗ ${event.code}\u001b[0m` : `✗ ${event.code}`}`
    : '';
  const unverified = event.verified ? '' : '  (unverified)';
  const head = `${clock(event.time)}  ${event.computation.slice(0, 12)} ${event.run}  ${event.actor.padEnd(16)}`;
  if (event.type === 'transition')
    return `${head} → ${event.state} (${event.event})${code}${unverified}`;
  const to = event.to === undefined ? 'all' : event.to;
  return `${head} ${event.kind} → ${to} (${size(event.size)})${code}${unverified}`;
}

/** The event as one JSON line: every field but the raw trace record (its parts are fields). */
function jsonLine(event: RunEvent): string {
  const { record: _record, ...fields } = event as RunEvent & { record?: unknown };
  return JSON.stringify(fields, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

interface Filter {
  readonly computation: string | undefined;
  readonly actors: readonly string[];
}

function wanted(event: RunEvent, filter: Filter): boolean {
  if (filter.computation !== undefined && !event.computation.startsWith(filter.computation))
    return false;
  if (filter.actors.length === 0) return true;
  const to = event.type === 'message' ? event.to : undefined;
  return filter.actors.some((a) => a === event.actor || a === to);
}

async function policiesOf(files: readonly string[]): Promise<LoadedPolicy[]> {
  return Promise.all(files.map((file) => loadPolicyFile(file)));
}

export const command: Command = {
  name: 'watch',
  usage,
  async run(argv: string[], io: CliIo) {
    const { values } = parseOptions({
      args: argv,
      options: {
        ...NATS_OPTIONS,
        computation: { type: 'string' },
        actor: { type: 'string', multiple: true },
        policy: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
    });
    const filter: Filter = { computation: values.computation, actors: values.actor ?? [] };
    if (filter.computation === '') throw new UsageError('--computation expects an id');
    const policies = await policiesOf(values.policy ?? []);
    const settings = natsSettingsFrom(values);
    const nats = shownServers(settings.servers);
    const json = values.json === true;
    const bus = await NatsTransport.connect({ ...settings, name: 'vc-watch' });
    try {
      const watch = await watchLive(bus, {
        policies,
        onEvent: (event) => {
          if (!wanted(event, filter)) return;
          io.out(json ? jsonLine(event) : formatEvent(event, io.isTty));
        },
        // A record the decoder failed on (a bug) is said, and the watch goes on with the next.
        onError: (error) => io.err(`vc watch: ${error.code}: ${error.message}`),
      });
      await bus.flush();
      io.err(`watching ${bus.subjects.journal.join(', ')} on ${nats} (Ctrl-C to stop)`);
      await untilSignal();
      watch.stop();
      await watch.settle();
    } finally {
      await bus.close().catch(() => undefined);
    }
    return 0;
  },
};
