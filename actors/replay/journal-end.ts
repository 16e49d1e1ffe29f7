// Where a computation's journal ends (issue 14, item 5): a journal cut short (the enclave worker
// or its host killed, the server gone) still replays up to its last record, and the report says
// plainly that the computation did not finish, with the state each unfinished actor was left in:
//   journal ends after record 57 (enclave in state serving.writing; alice in state working, waiting
//   for the reply to provision.data): the computation did not finish
import { stateName } from '../runtime/log.js';
import type { RunJournal } from './journal-runs.js';
import type { ActorReplay } from './replay.js';

interface UnfinishedActor {
  readonly actor: string;
  /** Its lane (participants by their policy name). */
  readonly lane: string;
  readonly state: string;
  /** The request kind whose reply the actor was waiting for, when it was waiting for one. */
  readonly waitingFor?: string;
}

export interface JournalEnd {
  /** The enclave reached a final state: the computation finished (well or not). */
  readonly complete: boolean;
  /** The journal's last record of this computation (1-based position in the whole journal). */
  readonly afterRecord: number;
  /** The enclave's last recorded state; absent when no enclave transition was recorded. */
  readonly enclaveState?: string;
  readonly unfinished: readonly UnfinishedActor[];
  /** One sentence for people. */
  readonly summary: string;
}

function stateOf(recorded: string): string {
  try {
    return stateName(JSON.parse(recorded));
  } catch {
    return recorded;
  }
}

/** The request the actor's last recorded transition sent: nothing after it, so still awaited. */
function pendingRequest(replay: ActorReplay): string | undefined {
  for (const output of replay.records.at(-1)?.outputs ?? []) {
    const { type, kind } = output as { type?: unknown; kind?: unknown };
    if (type === 'out.request' && typeof kind === 'string') return kind;
  }
  return undefined;
}

/** The lane of a trace actor, from its transitions in the run (else its own name). */
export function laneOf(journal: RunJournal, traceActor: string): string {
  const event = journal.events.find((e) => e.type === 'transition' && e.traceActor === traceActor);
  return event?.actor ?? traceActor;
}

export function journalEnd(journal: RunJournal, replays: readonly ActorReplay[]): JournalEnd {
  const enclave = replays.find((r) => r.machine === 'enclave');
  const last = enclave?.records.at(-1);
  const enclaveState = last && stateOf(last.state);
  const unfinished = replays
    .filter((r) => !r.finished && r.records.length > 0)
    .map((r): UnfinishedActor => {
      const waitingFor = r.machine === 'enclave' ? undefined : pendingRequest(r);
      return {
        actor: r.actor,
        lane: laneOf(journal, r.actor),
        state: stateOf(r.records.at(-1)!.state),
        ...(waitingFor ? { waitingFor } : {}),
      };
    });
  const complete = enclave?.finished ?? false;
  const where = `journal ends after record ${journal.lastRecord}`;
  if (complete)
    return {
      complete,
      afterRecord: journal.lastRecord,
      ...(enclaveState ? { enclaveState } : {}),
      unfinished,
      summary: `${where}: the computation finished (the enclave reached its final state ${enclaveState})`,
    };
  const notes = [
    enclaveState ? `enclave in state ${enclaveState}` : 'no enclave transition recorded',
    ...unfinished
      .filter((u) => u.actor !== enclave?.actor)
      .map((u) =>
        u.waitingFor
          ? `${u.lane} in state ${u.state}, waiting for the reply to ${u.waitingFor}`
          : `${u.lane} in state ${u.state}`,
      ),
  ];
  return {
    complete,
    afterRecord: journal.lastRecord,
    ...(enclaveState ? { enclaveState } : {}),
    unfinished,
    summary: `${where} (${notes.join('; ')}): the computation did not finish`,
  };
}
