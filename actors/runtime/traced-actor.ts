// A pure machine run live: events go in one at a time through a queue, the machine's emitted outputs
// are handed to the shell's effect handler with the machine's own emitted type (a shell switches on
// `type` and TypeScript checks it), and every transition becomes a trace record: the event fed, the
// state after it and the outputs emitted while handling it. The records are what `vc replay`
// re-drives, so events are normalised to plain data before the machine sees them. Records leave in
// batches (one signed `trace.batch` each, docs/protocol.md "Trace batches"): the start record alone,
// then a batch is handed to `onTrace` when it holds TRACE_BATCH_MAX records, TRACE_FLUSH_MS after its
// first record, when the machine reaches a final state, or when the shell calls `flushTrace()`
// (before it closes its bus).
import {
  createActor,
  type Actor,
  type AnyStateMachine,
  type EmittedFrom,
  type EventFromLogic,
  type InputFrom,
} from 'xstate';
import { TRACE_BATCH_MAX, VcError, type TraceTransitionBody } from '../../protocol/index.js';
import type { OperatorLog } from './log.js';
import { stateName } from './log.js';
import { plainRecord } from './plain.js';

/** The machine's snapshot (state value, context, status). */
export type SnapshotOf<M extends AnyStateMachine> = ReturnType<M['getInitialSnapshot']>;

export interface TracedActorOptions<M extends AnyStateMachine> {
  /** Actor name in traces (`enclave`, `participant-1`, `verifier`, `host`). */
  readonly actor: string;
  readonly machineId: string;
  readonly machine: M;
  /** Plain data (it is recorded in the start record, and replay starts the machine from it). */
  readonly input: InputFrom<M>;
  /** Called with every output the machine emits; may feed events back with `send`. */
  readonly onOutput: (output: EmittedFrom<M>) => void | Promise<void>;
  /** Called with each batch of trace records, in order (publish it on the trace subject). */
  readonly onTrace?: (records: TraceTransitionBody[]) => void;
  /** Called when an effect handler throws (the shell should turn it into an io.* event). */
  readonly onEffectError?: (error: unknown, output: EmittedFrom<M>) => void;
  /** The operator log: one line per state change (actor, from, to, event type; never data). */
  readonly log?: OperatorLog;
}

/** How long a trace record may wait for others to share its batch's signature. */
const TRACE_FLUSH_MS = 50;

export class TracedActor<M extends AnyStateMachine> {
  readonly #options: TracedActorOptions<M>;
  readonly #queue: EventFromLogic<M>[] = [];
  readonly #records: TraceTransitionBody[] = [];
  /** Records not yet handed to `onTrace`. */
  #batch: TraceTransitionBody[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #actor: Actor<M> | undefined;
  #index = 0;
  #draining = false;
  #pendingEvent: TraceTransitionBody['event'] = { type: 'xstate.init' };
  #pendingOutputs: EmittedFrom<M>[] = [];
  #stateName: string | undefined;
  readonly #waiters = new Set<() => void>();

  constructor(options: TracedActorOptions<M>) {
    this.#options = options;
  }

  get name(): string {
    return this.#options.actor;
  }

  /** Every trace record so far (the start record first). */
  get records(): readonly TraceTransitionBody[] {
    return this.#records;
  }

  snapshot(): SnapshotOf<M> {
    return this.#actor!.getSnapshot();
  }

  get done(): boolean {
    return this.#actor !== undefined && this.snapshot().status === 'done';
  }

  start(): this {
    const { machine, input } = this.#options;
    const actor = createActor(machine, { input: plainRecord(input) });
    this.#actor = actor;
    // Emitted outputs reach listeners after the transition's actions, before its snapshot is
    // observed: each transition's outputs are collected, then recorded with the state they led to.
    actor.on('*', (output) => void this.#pendingOutputs.push(output));
    actor.subscribe(() => this.#record(this.snapshot().value));
    actor.start();
    return this;
  }

  /** Queues an event; events are processed in order, one transition at a time. */
  send(event: EventFromLogic<M>): void {
    this.#queue.push(plainRecord(event));
    this.#drain();
  }

  /** Resolves when `predicate(snapshot)` holds (checked after each transition). */
  async waitFor(predicate: (snapshot: SnapshotOf<M>) => boolean): Promise<void> {
    if (predicate(this.snapshot())) return;
    await new Promise<void>((resolve) => {
      const check = () => {
        if (!predicate(this.snapshot())) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  #drain(): void {
    if (this.#draining || !this.#actor) return;
    this.#draining = true;
    try {
      while (this.#queue.length > 0 && this.snapshot().status === 'active') {
        const event = this.#queue.shift()!;
        this.#pendingEvent = event;
        this.#actor.send(event);
      }
      this.#queue.length = 0;
    } finally {
      this.#draining = false;
    }
  }

  #record(value: unknown): void {
    const outputs = this.#pendingOutputs;
    this.#pendingOutputs = [];
    const record: TraceTransitionBody = {
      actor: this.#options.actor,
      machine: this.#options.machineId,
      index: this.#index++,
      event: this.#pendingEvent,
      state: JSON.stringify(value),
      outputs: outputs.map((output) => plainRecord(output)),
      ...(this.#index === 1 ? { input: plainRecord(this.#options.input) } : {}),
      // The wall clock, as the journal's: when the transition happened, for views of the timeline.
      at: Date.now(),
    };
    this.#records.push(record);
    this.#batch.push(record);
    // The start record leaves alone and at once: a trace belongs to the run that was current when
    // its start came (actors/replay/journal-runs.ts).
    if (
      record.index === 0 ||
      this.#batch.length >= TRACE_BATCH_MAX ||
      this.snapshot().status !== 'active'
    )
      this.flushTrace();
    else if (this.#flushTimer === undefined) {
      this.#flushTimer = setTimeout(() => this.flushTrace(), TRACE_FLUSH_MS);
      this.#flushTimer.unref?.();
    }
    this.#logTransition(value, String(record.event.type));
    for (const output of outputs) this.#dispatch(output);
    queueMicrotask(() => {
      for (const waiter of [...this.#waiters]) waiter();
    });
  }

  /** Hands the records not yet published to `onTrace` as one batch (nothing when there are none). */
  flushTrace(): void {
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#options.onTrace?.(batch);
  }

  #logTransition(value: unknown, event: string): void {
    const from = this.#stateName;
    const to = stateName(value);
    this.#stateName = to;
    const log = this.#options.log;
    if (!log || from === undefined) return;
    const input: unknown = this.#options.input;
    const computation =
      input && typeof input === 'object' && 'computation' in input ? input.computation : undefined;
    const line = {
      actor: this.#options.actor,
      ...(typeof computation === 'string' ? { computation } : {}),
      from,
      to,
      event,
    };
    // A state change is what an operator follows; an event handled within one state is detail.
    if (from === to) log.debug(line, 'event');
    else log.info(line, 'transition');
  }

  #dispatch(output: EmittedFrom<M>): void {
    // Effects run after the transition completes, never inside it: a handler that feeds an event
    // back synchronously must not re-enter the machine mid-step.
    queueMicrotask(() => {
      Promise.resolve()
        .then(() => this.#options.onOutput(output))
        .catch((error: unknown) => this.#options.onEffectError?.(error, output));
    });
  }
}

/**
 * The `default` of a shell's switch over its machine's outputs: it only compiles when every output
 * type has its case, so a new output the shell does not handle is a type error.
 */
export function unhandledOutput(output: never): never {
  throw new VcError('ERR_INTERNAL', 'the shell has no effect for a machine output', {
    details: { output },
  });
}
