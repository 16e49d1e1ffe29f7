// What `vc replay` shows of one run: every event in journal order (one chronological view, with the
// time since the run's first record, the actor by its lane name, transitions as `event -> state`,
// messages as `kind -> recipient (size)`, refusal codes marked, the divergence at its event), then
// where the journal ends and the verdict. Filters choose what is shown, never the verdict.
// `--json` goes through `eventJson` (one object per event) and `replayReport` (the summary).
import { journalEnd, laneOf, type JournalEnd } from './journal-end.js';
import type { RunEvent, RunJournal } from './journal-runs.js';
import type { ActorReplay } from './replay.js';

type Divergence = NonNullable<ActorReplay['divergence']>;

export interface ReplayReport {
  readonly computation: string;
  readonly run: string;
  readonly number: number;
  readonly actors: readonly {
    /** The trace's actor name, and its lane (participants by policy name). */
    readonly actor: string;
    readonly lane: string;
    readonly machine: string;
    readonly steps: number;
    readonly finalState: string;
    readonly divergence?: Divergence;
  }[];
  readonly events: number;
  readonly messages: number;
  readonly unverified: number;
  /** Where the journal ends, and whether the computation finished by then. */
  readonly end: JournalEnd;
  readonly ok: boolean;
}

export function replayReport(journal: RunJournal, replays: readonly ActorReplay[]): ReplayReport {
  return {
    computation: journal.computation,
    run: journal.run,
    number: journal.number,
    actors: replays.map((r) => ({
      actor: r.actor,
      lane: laneOf(journal, r.actor),
      machine: r.machine,
      steps: r.records.length,
      finalState: r.records.at(-1)?.state ?? '',
      ...(r.divergence ? { divergence: r.divergence } : {}),
    })),
    events: journal.events.length,
    messages: journal.messages.length,
    unverified: journal.unverified,
    end: journalEnd(journal, replays),
    ok: replays.every((r) => r.divergence === undefined),
  };
}

/** A bound of `--from`/`--to`: a journal position, a time since the run's start, or a time. */
export type Bound =
  { readonly seq: number } | { readonly offsetMs: number } | { readonly time: number };

export interface EventFilter {
  /** Lane names: their transitions, and the messages they send or receive. */
  readonly actors?: readonly string[];
  /** Message kinds, or `transition` for every transition. */
  readonly kinds?: readonly string[];
  readonly from?: Bound;
  readonly to?: Bound;
}

/** When the run began: its first record's time (ms since the epoch). */
export function runStart(journal: RunJournal): number {
  return journal.events[0]?.time ?? 0;
}

function position(event: RunEvent, bound: Bound, start: number): [number, number] {
  if ('seq' in bound) return [event.seq, bound.seq];
  if ('offsetMs' in bound) return [event.time - start, bound.offsetMs];
  return [event.time, bound.time];
}

/** The run's events that pass the filter, in journal order. */
export function selectEvents(journal: RunJournal, filter: EventFilter = {}): RunEvent[] {
  const start = runStart(journal);
  return journal.events.filter((e) => {
    if (filter.actors?.length) {
      const to = e.type === 'message' ? e.to : undefined;
      if (!filter.actors.includes(e.actor) && !(to && filter.actors.includes(to))) return false;
    }
    if (filter.kinds?.length && !filter.kinds.includes(e.type === 'message' ? e.kind : e.type))
      return false;
    if (filter.from) {
      const [at, from] = position(e, filter.from, start);
      if (at < from) return false;
    }
    if (filter.to) {
      const [at, to] = position(e, filter.to, start);
      if (at > to) return false;
    }
    return true;
  });
}

/** The divergence found at this event, if it is the transition that diverged. */
function divergenceAt(event: RunEvent, replays: readonly ActorReplay[]): Divergence | undefined {
  if (event.type !== 'transition') return undefined;
  const d = replays.find((r) => r.actor === event.traceActor)?.divergence;
  return d && d.index === event.index ? d : undefined;
}

const offset = (time: number, start: number): string => `+${((time - start) / 1000).toFixed(3)}s`;

/** One event as a JSON object for tools (the raw trace record left out). */
export function eventJson(
  event: RunEvent,
  journal: RunJournal,
  replays: readonly ActorReplay[] = [],
): Record<string, unknown> {
  const start = runStart(journal);
  const common = { at: new Date(event.time).toISOString(), offset: (event.time - start) / 1000 };
  if (event.type === 'message') return { ...event, ...common };
  const { record: _record, ...rest } = event;
  const d = divergenceAt(event, replays);
  return { ...rest, ...common, ...(d ? { divergence: d.reason } : {}) };
}

function eventLine(event: RunEvent, start: number, width: number, d?: Divergence): string {
  const head = `  ${`#${event.seq}`.padEnd(6)} ${offset(event.time, start).padStart(9)}  ${event.actor.padEnd(width)}`;
  let what: string;
  if (event.type === 'transition') {
    const outputs = event.outputs.length ? `  [${event.outputs.join(', ')}]` : '';
    what = `${event.event} -> ${event.state}${outputs}`;
  } else {
    what = `>> ${event.kind} -> ${event.to ?? '*'} (${event.size} B)`;
  }
  const marks = [
    event.code ? `!! ${event.code}` : '',
    event.verified ? '' : '(unverified)',
    d ? `<-- DIVERGES: ${d.reason}` : '',
  ].filter(Boolean);
  return `${head}  ${what}${marks.length ? `  ${marks.join('  ')}` : ''}`;
}

/**
 * The run as people read it: a header, the events shown (default: all), where the journal ends and
 * the verdict.
 */
export function formatTimeline(
  journal: RunJournal,
  replays: readonly ActorReplay[],
  shown: readonly RunEvent[] = journal.events,
): string {
  const start = runStart(journal);
  const lanes = journal.lanes.map((l) => (l.name === l.role ? l.name : `${l.name} (${l.role})`));
  const lines = [
    `computation ${journal.computation}  run ${journal.run} (#${journal.number})  policy ${journal.policyHash ?? 'unknown'}`,
    `  started ${journal.events.length ? new Date(start).toISOString() : '-'}, ${journal.events.length} events (${journal.messages.length} messages, ${journal.unverified} unverified)`,
    `  lanes: ${lanes.join(', ')}`,
  ];
  if (shown.length !== journal.events.length)
    lines.push(`  showing ${shown.length} of ${journal.events.length} events (filtered)`);
  lines.push('');
  const width = Math.max(8, ...journal.lanes.map((l) => l.name.length));
  for (const event of shown)
    lines.push(eventLine(event, start, width, divergenceAt(event, replays)));
  const diverged = replays.filter((r) => r.divergence);
  lines.push('', `  ${journalEnd(journal, replays).summary}`);
  if (diverged.length === 0)
    lines.push(`  replay: every actor reproduces its recorded timeline (${replays.length} actors)`);
  for (const r of diverged) {
    const d = r.divergence!;
    const lane = laneOf(journal, d.actor);
    const who = lane !== d.actor ? `${lane} (${d.actor})` : d.actor;
    lines.push(
      `  DIVERGENCE: ${who} at step ${d.index} (${String(d.event['type'])}): ${d.reason}`,
      `    recorded: ${d.recorded.state} ${JSON.stringify(d.recorded.outputs)}`,
      `    replayed: ${d.replayed ? `${d.replayed.state} ${JSON.stringify(d.replayed.outputs)}` : '-'}`,
    );
  }
  return lines.join('\n');
}
