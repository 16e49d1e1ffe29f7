// `vc replay A --diff B`: where two runs part ways. Actors are matched by lane name and machine (an
// actor with several sessions, like a participant over rounds or the verifier, by the order its
// sessions first appear); each pair's transitions are compared step by step on what the protocol
// decides: the event, the state it led to, the outputs (type and kind) and refusal codes. Times,
// ids, keys and the sizes of sealed data are left out, so two runs of one scenario compare equal.
// Messages are compared through the transitions that send (outputs) and receive (events) them.
import type { RunJournal, TransitionEvent } from './journal-runs.js';

interface StepView {
  /** Position of the record in its journal. */
  readonly seq: number;
  readonly index: number;
  readonly event: string;
  readonly state: string;
  readonly outputs: readonly string[];
  readonly code?: string;
}

interface ActorDiff {
  /** The lane name (alice, enclave, host, verifier). */
  readonly actor: string;
  readonly machine: string;
  /** 1-based: which of the lane's sessions of this machine. */
  readonly session: number;
  /** The first step (record index) that differs. */
  readonly step: number;
  /** That step in each journal; undefined where that journal has no such step (or actor). */
  readonly a: StepView | undefined;
  readonly b: StepView | undefined;
}

export interface RunDiff {
  readonly equal: boolean;
  /** How many actors (sessions) were compared. */
  readonly actors: number;
  readonly differences: readonly ActorDiff[];
}

function sessionsOf(run: RunJournal): Map<string, TransitionEvent[]> {
  const byTrace = new Map<string, TransitionEvent[]>();
  for (const e of run.events) {
    if (e.type !== 'transition') continue;
    const list = byTrace.get(e.traceActor) ?? [];
    list.push(e);
    byTrace.set(e.traceActor, list);
  }
  const counts = new Map<string, number>();
  const sessions = new Map<string, TransitionEvent[]>();
  for (const steps of byTrace.values()) {
    const { actor, machine } = steps[0]!;
    const base = `${actor}\u0000${machine}`;
    const n = (counts.get(base) ?? 0) + 1;
    counts.set(base, n);
    sessions.set(`${base}\u0000${n}`, steps);
  }
  return sessions;
}

const view = (e: TransitionEvent): StepView => ({
  seq: e.seq,
  index: e.index,
  event: e.event,
  state: e.state,
  outputs: e.outputs,
  ...(e.code ? { code: e.code } : {}),
});

const same = (a: TransitionEvent, b: TransitionEvent): boolean =>
  a.event === b.event &&
  a.state === b.state &&
  a.code === b.code &&
  a.outputs.length === b.outputs.length &&
  a.outputs.every((o, i) => o === b.outputs[i]);

export function diffRuns(a: RunJournal, b: RunJournal): RunDiff {
  const left = sessionsOf(a);
  const right = sessionsOf(b);
  const keys = [...new Set([...left.keys(), ...right.keys()])];
  const differences: ActorDiff[] = [];
  for (const key of keys) {
    const [actor, machine, session] = key.split('\u0000') as [string, string, string];
    const x = left.get(key) ?? [];
    const y = right.get(key) ?? [];
    const at = Array.from({ length: Math.max(x.length, y.length) }, (_, i) => i).find(
      (i) => !x[i] || !y[i] || !same(x[i], y[i]),
    );
    if (at === undefined) continue;
    differences.push({
      actor,
      machine,
      session: Number(session),
      step: at,
      a: x[at] && view(x[at]),
      b: y[at] && view(y[at]),
    });
  }
  return { equal: differences.length === 0, actors: keys.length, differences };
}

function side(label: string, step: StepView | undefined): string {
  if (!step) return `    ${label}: (nothing: the actor stops before, or is absent)`;
  const outputs = step.outputs.length ? `  [${step.outputs.join(', ')}]` : '';
  const code = step.code ? `  !! ${step.code}` : '';
  return `    ${label}: #${step.seq}  ${step.event} -> ${step.state}${outputs}${code}`;
}

/** The diff as people read it: one block per actor that differs, then the verdict. */
export function formatDiff(diff: RunDiff, a: RunJournal, b: RunJournal): string {
  const lines = [
    `A: computation ${a.computation} run ${a.run} (${a.events.length} events)`,
    `B: computation ${b.computation} run ${b.run} (${b.events.length} events)`,
    '',
  ];
  for (const d of diff.differences) {
    const session = d.session > 1 ? `, session ${d.session}` : '';
    lines.push(
      `  ${d.actor} (${d.machine} machine${session}) differs at step ${d.step}:`,
      side('A', d.a),
      side('B', d.b),
    );
  }
  lines.push(
    diff.equal
      ? `  the same: every actor takes the same steps (${diff.actors} actors compared)`
      : `  ${diff.differences.length} of ${diff.actors} actors differ`,
  );
  return lines.join('\n');
}
