// `vc replay JOURNAL`: reads the journal's records into runs, selects the runs asked for, re-drives
// each actor's machine from its recorded events (no I/O) and prints one chronological view of each
// run (filters choose what is shown, never the verdict), or the runs (--runs), or where two journals
// part ways (--diff). The first divergence of today's machines from the recording is an error.
import { UsageError, ProtocolError } from '../../protocol/index.js';
import {
  FileJournalReader,
  JetStreamJournalReader,
  type JournalReader,
  type JournalRecord,
  NatsTransport,
} from '../../transport/index.js';
import {
  computationsOf,
  readRuns,
  runOf,
  wasLaunched,
  replayTraces,
  formatTimeline,
  replayReport,
  selectEvents,
  eventJson,
  runStart,
  diffRuns,
  formatDiff,
  type Bound,
  type EventFilter,
  type RunJournal,
} from '../../actors/index.js';
import { parseOptions, withHostFile, type CliIo, type Command } from '../command.js';
import { writeOtlp } from '../export/otlp.js';
import { writeTimelinePage } from '../page/write-page.js';
import { NATS_OPTIONS, NATS_USAGE, natsSettingsFrom } from '../nats-options.js';

const usage = `Usage: vc replay JOURNAL [--nats URL] [--computation ID] [--run ID | --runs]
                 [--actor NAME]... [--kind KIND]... [--from AT] [--to AT] [--otlp FILE] [--json]
       vc replay JOURNAL --html FILE [--nats URL] [--computation ID] [--run ID]
       vc replay JOURNAL --diff JOURNAL2 [--nats URL] [--computation ID] [--run ID] [--json]

Replays a protocol journal: every actor's machine is re-driven from its recorded events without
any I/O and compared, step by step, with the recorded states and outputs. Prints each run in time
order: when (since the run's first record), who (participants by their policy name), transitions
as "event -> state [outputs]", messages as ">> kind -> recipient (size)", refusal codes (!!), then
where the journal ends and the verdict.
  JOURNAL           a journal file (embedded mode), or with --nats (or --context) the JetStream
                    stream name (default: the namespace's stream, VC_JOURNAL)
  --nats URL        read the journal from JetStream on this NATS server (with the NATS
                    connection options below)
  --computation ID  only this computation (default: every computation in the journal)
  --run ID          this run (default: the latest run of each computation; see --runs)
  --runs            list the runs (id, number, start, events, finished) instead of replaying
  --actor NAME      show only this lane's transitions and the messages it sends or receives
                    (repeatable; lane names as the header lists them: alice, enclave, host...)
  --kind KIND       show only messages of this kind, or "transition" (repeatable)
  --from AT, --to AT  show only events from/up to AT (inclusive): a journal position (#12 or 12),
                    a time since the run's first record (2.5s, 300ms), or an ISO time
  --diff JOURNAL2   compare with another journal: per actor (by lane and machine) the first step
                    that differs (event, state, outputs, codes; not times, ids, keys or sizes)
  --json            one JSON object per line: every event shown, then {"type":"summary",...}
  --otlp FILE       also write the replayed runs to FILE as OpenTelemetry spans (OTLP JSON)
  --html FILE       write the timeline page instead (one self-contained HTML file: sequence
                    diagram, state bands, statecharts) of every run (of --computation's runs, or
                    the --run) to FILE, and exit 0
Filters change what is shown, never the verdict.
Exit 0 when every actor reproduces its timeline, 1 (ERR_REPLAY_DIVERGENCE) at the first divergence,
1 (ERR_SESSION_RECEIPT_MISMATCH) when a session channel's messages in the journal do not match the
enclave's signed receipt of it (a changed, dropped or added message),
1 (ERR_NOTHING_TO_REPLAY) when the journal holds no run asked for; with --diff, 1
(ERR_REPLAY_DIFFERS) when the journals differ.
${NATS_USAGE}`;

const options = {
  computation: { type: 'string' },
  run: { type: 'string' },
  runs: { type: 'boolean' },
  ...NATS_OPTIONS,
  actor: { type: 'string', multiple: true },
  kind: { type: 'string', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
  diff: { type: 'string' },
  json: { type: 'boolean' },
  otlp: { type: 'string' },
  html: { type: 'string' },
} as const;

/** `#12`/`12`: a journal position; `2.5s`/`300ms`: since the run's start; else an ISO time. */
function parseBound(option: string, text: string): Bound {
  if (/^#?\d+$/.test(text)) return { seq: Number(text.replace('#', '')) };
  const offset = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (offset) return { offsetMs: Number(offset[1]) * (offset[2] === 's' ? 1000 : 1) };
  const time = /^\d{4}-\d\d-\d\dT/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(time))
    throw new UsageError(
      `--${option} ${text}: expected a journal position (#12), a time since the run's start (2.5s, 300ms) or an ISO time`,
    );
  return { time };
}

async function collect(reader: JournalReader, into: JournalRecord[]): Promise<void> {
  for await (const r of reader.records()) into.push(r);
}

type NatsValues = Parameters<typeof natsSettingsFrom>[0];

/** True when the journal is to be read from JetStream: --nats or --context given. */
function fromNats(values: NatsValues): boolean {
  return values.nats !== undefined || values.context !== undefined;
}

/** The journal's runs: a file, or with --nats the JetStream stream `source`. */
async function readJournal(source: string | undefined, values: NatsValues) {
  const records: JournalRecord[] = [];
  if (fromNats(values)) {
    const bus = await NatsTransport.connect({ ...natsSettingsFrom(values), name: 'vc-replay' });
    try {
      await collect(
        new JetStreamJournalReader(bus.connection, source ?? bus.subjects.journalStream),
        records,
      );
    } finally {
      await bus.close().catch(() => undefined);
    }
  } else {
    await withHostFile(source!, (path) => collect(new FileJournalReader(path), records));
  }
  return readRuns(records);
}

const nothing = (message: string, details: Record<string, unknown>) =>
  new ProtocolError('ERR_NOTHING_TO_REPLAY', message, { details });

/** The runs asked for: the one named, else the latest of each computation (of the one named). */
function choose(runs: readonly RunJournal[], computation?: string, run?: string): RunJournal[] {
  const pool = runs.filter((r) => computation === undefined || r.computation === computation);
  const chosen =
    run === undefined
      ? computationsOf(pool).map((c) => runOf(pool, c)!)
      : pool.filter((r) => r.run === run);
  if (chosen.length > 0) return chosen;
  const what = [
    run === undefined ? '' : `run ${run}`,
    computation === undefined ? '' : `computation ${computation}`,
  ].filter(Boolean);
  throw nothing(
    runs.length === 0
      ? 'the journal records no computation'
      : `the journal holds no ${what.join(' of ')}`,
    { ...(computation ? { computation } : {}), ...(run ? { run } : {}) },
  );
}

function filterOf(values: {
  actor?: string[];
  kind?: string[];
  from?: string;
  to?: string;
}): EventFilter {
  return {
    ...(values.actor ? { actors: values.actor } : {}),
    ...(values.kind ? { kinds: values.kind } : {}),
    ...(values.from ? { from: parseBound('from', values.from) } : {}),
    ...(values.to ? { to: parseBound('to', values.to) } : {}),
  };
}

function listRuns(runs: readonly RunJournal[], json: boolean, io: CliIo): number {
  for (const run of runs) {
    const end = replayReport(run, replayTraces(run.traces)).end;
    const started = run.events.length ? new Date(runStart(run)).toISOString() : undefined;
    const line = {
      type: 'run',
      computation: run.computation,
      run: run.run,
      number: run.number,
      ...(started ? { started } : {}),
      events: run.events.length,
      launched: wasLaunched(run),
      finished: end.complete,
    };
    io.out(
      json
        ? JSON.stringify(line)
        : `${run.computation}  ${run.run}  #${run.number}  ${started ?? '-'}  ${run.events.length} events  ${end.complete ? 'finished' : 'did not finish'}${wasLaunched(run) ? '' : '  (no launch: after the run before)'}`,
    );
  }
  return 0;
}

/** The latest run of the journal (by its last record), of `computation` when it holds one. */
function latest(runs: readonly RunJournal[], computation?: string): RunJournal | undefined {
  const pool = runs.filter((r) => r.computation === computation);
  return [...(pool.length ? pool : runs)].sort((a, b) => a.lastRecord - b.lastRecord).at(-1);
}

async function diff(
  a: readonly RunJournal[],
  values: NatsValues & { diff?: string; json?: boolean },
  io: CliIo,
): Promise<number> {
  const left = latest(a)!;
  const right = latest(choose(await readJournal(values.diff, values)), left.computation)!;
  const result = diffRuns(left, right);
  if (values.json) {
    io.out(JSON.stringify({ type: 'diff', a: left.run, b: right.run, ...result }));
    return result.equal ? 0 : 1;
  }
  io.out(formatDiff(result, left, right));
  if (result.equal) return 0;
  const first = result.differences[0]!;
  throw new ProtocolError(
    'ERR_REPLAY_DIFFERS',
    `the journals differ: ${first.actor} (${first.machine}) at step ${first.step}`,
    { details: { actors: result.differences.map((d) => d.actor) } },
  );
}

export const command: Command = {
  name: 'replay',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions({ args: argv, allowPositionals: true, options });
    if (positionals.length > 1 || (!fromNats(values) && positionals.length === 0))
      throw new UsageError(usage);
    if (values.runs && (values.run || values.diff))
      throw new UsageError('--runs lists the runs: not with --run or --diff');
    const filter = filterOf(values);
    const json = values.json === true;
    const runs = await readJournal(positionals[0], values);
    const chosen = choose(runs, values.computation, values.runs ? undefined : values.run);
    if (values.runs)
      return listRuns(
        runs.filter((r) => chosen.some((c) => c.computation === r.computation)),
        json,
        io,
      );
    if (values.diff) return diff(chosen, values, io);
    if (values.html) {
      const pageRuns = values.run
        ? chosen
        : runs.filter((r) => chosen.some((c) => c.computation === r.computation));
      io.out(await writeTimelinePage(values.html, pageRuns));
      return 0;
    }
    if (values.otlp) await writeOtlp(values.otlp, chosen);
    const lanes = new Set(chosen.flatMap((r) => r.lanes.map((l) => l.name)));
    const unknown = filter.actors?.find((a) => !lanes.has(a));
    if (unknown)
      throw new UsageError(`--actor ${unknown}: no such lane (${[...lanes].join(', ')})`);
    let first: Record<string, unknown> | undefined;
    const reports = [];
    for (const [i, journal] of chosen.entries()) {
      const replays = replayTraces(journal.traces);
      const shown = selectEvents(journal, filter);
      if (json) for (const e of shown) io.out(JSON.stringify(eventJson(e, journal, replays)));
      else io.out(`${i > 0 ? '\n' : ''}${formatTimeline(journal, replays, shown)}`);
      reports.push(replayReport(journal, replays));
      const d = replays.find((r) => r.divergence)?.divergence;
      if (d && !first)
        first = {
          computation: journal.computation,
          run: journal.run,
          actor: d.actor,
          index: d.index,
          event: String(d.event['type']),
          reason: d.reason,
        };
    }
    // The journal's session-channel messages are authentic only as far as their receipts match.
    const mismatched = chosen.find((r) => r.receiptMismatches.length > 0);
    const receiptMismatch = mismatched && {
      computation: mismatched.computation,
      run: mismatched.run,
      channels: mismatched.receiptMismatches,
    };
    if (json)
      io.out(
        JSON.stringify({
          type: 'summary',
          ok: !first && !receiptMismatch,
          divergence: first ?? null,
          receiptMismatch: receiptMismatch ?? null,
          runs: reports,
        }),
      );
    if (!first && !receiptMismatch) return 0;
    if (json) return 1;
    if (first)
      throw new ProtocolError(
        'ERR_REPLAY_DIVERGENCE',
        `${String(first['computation'])}: ${String(first['actor'])} diverges at step ${String(first['index'])} (${String(first['event'])}): ${String(first['reason'])}`,
      );
    throw new ProtocolError(
      'ERR_SESSION_RECEIPT_MISMATCH',
      `${receiptMismatch!.computation}: the journal's messages of session channel ${receiptMismatch!.channels.join(', ')} do not match the enclave's signed receipt`,
      { details: receiptMismatch },
    );
  },
};
