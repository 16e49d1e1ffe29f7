// Human-readable replay report: per actor, each recorded step (event -> state, outputs), then the
// computation's messages, then the verdict. `vc replay` prints it; JSON goes through `replayReport`.
import { journalEnd, type JournalEnd } from './journal-end.js';
import type { RunJournal } from './journal-runs.js';
import type { ActorReplay } from './replay.js';

export interface ReplayReport {
  readonly computation: string;
  readonly actors: readonly {
    readonly actor: string;
    readonly machine: string;
    readonly steps: number;
    readonly finalState: string;
    readonly divergence?: ActorReplay['divergence'];
  }[];
  readonly messages: number;
  readonly unverified: number;
  /** Where the journal ends, and whether the computation finished by then. */
  readonly end: JournalEnd;
  readonly ok: boolean;
}

export function replayReport(journal: RunJournal, replays: readonly ActorReplay[]): ReplayReport {
  return {
    computation: journal.computation,
    actors: replays.map((r) => ({
      actor: r.actor,
      machine: r.machine,
      steps: r.records.length,
      finalState: r.records.at(-1)?.state ?? '',
      ...(r.divergence ? { divergence: r.divergence } : {}),
    })),
    messages: journal.messages.length,
    unverified: journal.unverified,
    end: journalEnd(journal, replays),
    ok: replays.every((r) => r.divergence === undefined),
  };
}

const brief = (o: Record<string, unknown>): string => {
  const kind = typeof o['kind'] === 'string' ? ` ${o['kind']}` : '';
  const ref = typeof o['ref'] === 'string' ? ` ${o['ref']}` : '';
  return `${String(o['type'])}${kind}${ref}`;
};

export function formatTimeline(journal: RunJournal, replays: readonly ActorReplay[]): string {
  const lines = [`computation ${journal.computation}`];
  for (const r of replays) {
    lines.push('', `  ${r.actor} (${r.machine} machine)`);
    for (const record of r.records) {
      const outputs = record.outputs.map((o) => brief(o as Record<string, unknown>)).join(', ');
      const mark = r.divergence?.index === record.index ? '  <-- DIVERGES' : '';
      lines.push(
        `    ${String(record.index).padStart(3)}  ${String(record.event['type']).padEnd(20)} -> ${record.state.padEnd(24)} ${outputs}${mark}`,
      );
    }
  }
  lines.push('', `  messages (${journal.messages.length}, ${journal.unverified} unverified)`);
  for (const m of journal.messages) {
    if (m.kind === 'trace.transition') continue;
    lines.push(
      `    ${m.kind.padEnd(20)} from ${m.actor.padEnd(14)} on ${m.subject}${m.verified ? '' : '  (unverified)'}`,
    );
  }
  const diverged = replays.filter((r) => r.divergence);
  lines.push('', `  ${journalEnd(journal, replays).summary}`);
  if (diverged.length === 0)
    lines.push(`  replay: every actor reproduces its recorded timeline (${replays.length} actors)`);
  for (const r of diverged) {
    const d = r.divergence!;
    lines.push(
      `  DIVERGENCE: ${d.actor} at step ${d.index} (${String(d.event['type'])}): ${d.reason}`,
      `    recorded: ${d.recorded.state} ${JSON.stringify(d.recorded.outputs)}`,
      `    replayed: ${d.replayed ? `${d.replayed.state} ${JSON.stringify(d.replayed.outputs)}` : '-'}`,
    );
  }
  return lines.join('\n');
}
