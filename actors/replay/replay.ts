// Replay (Temporal-style): each actor's recorded trace is re-driven through today's machine with
// no I/O, and every step's state and outputs are compared with the recording. The first step that
// differs is a determinism violation (a divergence), reported with the event that caused it.
import { isDeepStrictEqual } from 'node:util';
import type { AnyStateMachine } from 'xstate';
import { MACHINES, MachineDriver, type DrivenStep } from '../../machines/index.js';
import type { TraceTransitionBody } from '../../protocol/index.js';
import { toPlain } from '../runtime/plain.js';

interface Divergence {
  readonly actor: string;
  readonly index: number;
  readonly event: Record<string, unknown>;
  readonly reason: string;
  readonly recorded: { readonly state: string; readonly outputs: readonly unknown[] };
  readonly replayed: { readonly state: string; readonly outputs: readonly unknown[] } | undefined;
}

export interface ActorReplay {
  readonly actor: string;
  readonly machine: string;
  readonly records: readonly TraceTransitionBody[];
  readonly divergence: Divergence | undefined;
  /** The replayed machine reached a final state (false for a recording that stops before). */
  readonly finished: boolean;
  /** The replayed machine's context after each record that reproduced (by record index). */
  readonly contexts: readonly unknown[];
}

export type MachineTable = Readonly<Record<string, AnyStateMachine>>;

/** Groups trace records by actor, each in index order. */
function groupByActor(records: readonly TraceTransitionBody[]): Map<string, TraceTransitionBody[]> {
  const byActor = new Map<string, TraceTransitionBody[]>();
  for (const record of records) {
    const list = byActor.get(record.actor) ?? [];
    list.push(record);
    byActor.set(record.actor, list);
  }
  for (const list of byActor.values()) list.sort((a, b) => a.index - b.index);
  return byActor;
}

function divergence(
  record: TraceTransitionBody,
  reason: string,
  replayed: DrivenStep | undefined,
): Divergence {
  return {
    actor: record.actor,
    index: record.index,
    event: record.event,
    reason,
    recorded: { state: record.state, outputs: record.outputs },
    replayed: replayed && { state: replayed.state, outputs: replayed.outputs },
  };
}

function compare(record: TraceTransitionBody, step: DrivenStep): Divergence | undefined {
  if (step.state !== record.state) return divergence(record, 'state differs', step);
  if (!isDeepStrictEqual(toPlain(step.outputs), toPlain(record.outputs))) {
    return divergence(record, 'outputs differ', step);
  }
  return undefined;
}

interface ActorVerdict {
  readonly divergence: Divergence | undefined;
  readonly finished: boolean;
  readonly contexts: readonly unknown[];
}

const diverged = (found: Divergence, contexts: readonly unknown[] = []): ActorVerdict => ({
  divergence: found,
  finished: false,
  contexts,
});

/**
 * Re-drives one actor's records; returns the first divergence, if any, and whether the machine
 * ended. A recording that simply stops (a journal that ends early) is a prefix, not a divergence.
 */
function replayActor(
  records: readonly TraceTransitionBody[],
  machines: MachineTable = MACHINES,
): ActorVerdict {
  const first = records[0];
  if (!first) return { divergence: undefined, finished: false, contexts: [] };
  const machine = machines[first.machine];
  if (!machine) return diverged(divergence(first, `unknown machine ${first.machine}`, undefined));
  if (first.index !== 0 || first.input === undefined) {
    return diverged(
      divergence(first, 'the recording does not start with the start record', undefined),
    );
  }
  const driver = new MachineDriver(machine);
  let step: DrivenStep;
  try {
    step = driver.start(first.input as never);
  } catch (error) {
    return diverged(divergence(first, `the machine failed to start: ${String(error)}`, undefined));
  }
  const atStart = compare(first, step);
  if (atStart) return diverged(atStart);
  const contexts: unknown[] = [toPlain(step.context)];
  for (const [i, record] of records.entries()) {
    if (i === 0) continue;
    if (record.index !== i)
      return diverged(
        divergence(record, `record ${i} is missing from the recording`, undefined),
        contexts,
      );
    step = driver.send(record.event as never);
    const found = compare(record, step);
    if (found) return diverged(found, contexts);
    contexts.push(toPlain(step.context));
  }
  return { divergence: undefined, finished: step.status === 'done', contexts };
}

/** Replays every actor found in the records. */
export function replayTraces(
  records: readonly TraceTransitionBody[],
  machines: MachineTable = MACHINES,
): ActorReplay[] {
  return [...groupByActor(records)].map(([actor, list]) => ({
    actor,
    machine: list[0]?.machine ?? '?',
    records: list,
    ...replayActor(list, machines),
  }));
}
