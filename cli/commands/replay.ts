// `vc replay JOURNAL`: re-drives each actor's machine from its recorded events (no I/O), prints a
// per-actor timeline of states and messages, and reports the first divergence when today's machines
// would behave differently from the recording.
import { UsageError, ProtocolError } from '../../protocol/index.js';
import {
  FileJournalReader,
  JetStreamJournalReader,
  defaultJournalStream,
  type JournalReader,
  type JournalRecord,
  NatsTransport,
} from '../../transport/index.js';
import {
  computationsOf,
  readRuns,
  runOf,
  replayTraces,
  formatTimeline,
  replayReport,
} from '../../actors/index.js';
import { parseOptions, withHostFile, type Command } from '../command.js';
import { writeTimelinePage } from '../page/write-page.js';

const usage = `Usage: vc replay JOURNAL [--computation ID] [--nats URL] [--json] [--html FILE]

Replays a protocol journal: every actor's machine is re-driven from its recorded events without
any I/O and compared, step by step, with the recorded states and outputs.
  JOURNAL           a journal file (embedded mode), or with --nats the JetStream stream name
                    (default stream: ${defaultJournalStream})
  --computation ID  only this computation (default: every computation in the journal)
  --nats URL        read the journal from JetStream on this NATS server
  --json            a JSON report
  --html FILE       write the timeline page (one self-contained HTML file: sequence diagram, state
                    bands, statecharts) of every run (of --computation's runs) to FILE, and exit 0
Exit 0 when every actor reproduces its timeline, 1 (ERR_REPLAY_DIVERGENCE) at the first divergence.`;

async function collect(
  reader: JournalReader,
  computation: string | undefined,
): Promise<JournalRecord[]> {
  const records: JournalRecord[] = [];
  for await (const r of reader.records(computation ? { computation } : undefined)) records.push(r);
  return records;
}

export const command: Command = {
  name: 'replay',
  summary: 'replay a protocol journal through today’s machines and report divergences',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions({
      args: argv,
      allowPositionals: true,
      options: {
        computation: { type: 'string' },
        nats: { type: 'string' },
        json: { type: 'boolean' },
        html: { type: 'string' },
      },
    });
    if (positionals.length > 1 || (!values.nats && positionals.length === 0))
      throw new UsageError(usage);
    let records: JournalRecord[];
    let bus: NatsTransport | undefined;
    try {
      if (values.nats) {
        bus = await NatsTransport.connect({ servers: values.nats, name: 'vc-replay' });
        records = await collect(
          new JetStreamJournalReader(bus.connection, positionals[0] ?? defaultJournalStream),
          undefined,
        );
      } else {
        records = await withHostFile(positionals[0]!, (path) =>
          collect(new FileJournalReader(path), undefined),
        );
      }
    } finally {
      await bus?.close().catch(() => undefined);
    }
    const runs = await readRuns(records);
    if (values.html) {
      const shown = runs.filter((r) => !values.computation || r.computation === values.computation);
      if (shown.length === 0)
        throw new ProtocolError(
          'ERR_NOTHING_TO_REPLAY',
          values.computation
            ? `the journal holds no run of computation ${values.computation}`
            : 'the journal records no computation',
        );
      io.out(await writeTimelinePage(values.html, shown));
      return 0;
    }
    const computations = values.computation ? [values.computation] : computationsOf(runs);
    const chosen = computations.map((c) => runOf(runs, c));
    if (chosen.length === 0 || chosen.some((r) => r === undefined))
      throw new ProtocolError(
        'ERR_NOTHING_TO_REPLAY',
        values.computation
          ? `the journal holds no run of computation ${values.computation}`
          : 'the journal records no computation',
      );
    const reports = [];
    let firstDivergence: string | undefined;
    for (const journal of chosen) {
      if (!journal) continue;
      const computation = journal.computation;
      const replays = replayTraces(journal.traces);
      reports.push(replayReport(journal, replays));
      if (!values.json) io.out(formatTimeline(journal, replays));
      const diverged = replays.find((r) => r.divergence);
      if (diverged && !firstDivergence) {
        const d = diverged.divergence!;
        firstDivergence = `${computation}: ${d.actor} diverges at step ${d.index} (${String(d.event['type'])}): ${d.reason}`;
      }
    }
    if (values.json) io.out(JSON.stringify({ ok: !firstDivergence, computations: reports }));
    if (firstDivergence) {
      if (values.json) return 1;
      throw new ProtocolError('ERR_REPLAY_DIVERGENCE', firstDivergence);
    }
    return 0;
  },
};
