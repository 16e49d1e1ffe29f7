// A pure machine run live: events go in one at a time through a queue, the machine's emitted outputs
// are handed to the shell's effect handler, and every transition becomes a trace record taken from
// XState's inspection stream (`@xstate.event`, `@xstate.action` emit, `@xstate.snapshot`). The records
// are what `vc replay` re-drives, so events are normalised to plain data before the machine sees them.
import {
  createActor,
  type AnyActorRef,
  type AnyStateMachine,
  type EventFromLogic,
  type InputFrom,
  type InspectionEvent,
} from 'xstate';
import type { TraceTransitionBody } from '../protocol/messages/bodies.js';
import { plainRecord } from './plain.js';

export type Output = Record<string, unknown> & { type: string };

export interface TracedActorOptions<M extends AnyStateMachine> {
  /** Actor name in traces (`enclave`, `participant-1`, `verifier`, `host`). */
  readonly actor: string;
  readonly machineId: string;
  readonly machine: M;
  /** Plain data (it is recorded in the start record, and replay starts the machine from it). */
  readonly input: InputFrom<M>;
  /** Called with every output the machine emits; may feed events back with `send`. */
  readonly onOutput: (output: Output) => void | Promise<void>;
  /** Called with every trace record (publish it on the trace subject). */
  readonly onTrace?: (record: TraceTransitionBody) => void;
  /** Called when an effect handler throws (the shell should turn it into an io.* event). */
  readonly onEffectError?: (error: unknown, output: Output) => void;
}

export class TracedActor<M extends AnyStateMachine> {
  readonly #options: TracedActorOptions<M>;
  readonly #queue: Record<string, unknown>[] = [];
  readonly #records: TraceTransitionBody[] = [];
  #actor: AnyActorRef | undefined;
  #index = 0;
  #draining = false;
  #pendingEvent: Record<string, unknown> | undefined;
  #pendingOutputs: Output[] = [];
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

  snapshot() {
    return this.#actor!.getSnapshot() as ReturnType<M['getInitialSnapshot']>;
  }

  get done(): boolean {
    return this.#actor?.getSnapshot().status === 'done';
  }

  start(): this {
    const { machine, input } = this.#options;
    this.#pendingEvent = { type: 'xstate.init' };
    const options = {
      input: plainRecord(input as object),
      inspect: (e: InspectionEvent) => this.#inspect(e),
    };
    this.#actor = createActor(machine as AnyStateMachine, options as never);
    this.#actor.start();
    return this;
  }

  /** Queues an event; events are processed in order, one transition at a time. */
  send(event: EventFromLogic<M> | Record<string, unknown>): void {
    this.#queue.push(plainRecord(event));
    this.#drain();
  }

  /** Resolves when `predicate(snapshot)` holds (checked after each transition). */
  async waitFor(
    predicate: (snapshot: ReturnType<M['getInitialSnapshot']>) => boolean,
  ): Promise<void> {
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
      while (this.#queue.length > 0 && this.#actor.getSnapshot().status === 'active') {
        const event = this.#queue.shift()!;
        this.#pendingEvent = event;
        this.#actor.send(event);
      }
      this.#queue.length = 0;
    } finally {
      this.#draining = false;
    }
  }

  #inspect(event: InspectionEvent): void {
    if (event.actorRef !== this.#actor && this.#actor !== undefined) return;
    if (event.type === '@xstate.action' && event.action.type === 'xstate.emit') {
      const emitted = (event.action.params as { event: Output }).event;
      this.#pendingOutputs.push(plainRecord(emitted) as Output);
    } else if (event.type === '@xstate.snapshot') {
      this.#record((event.snapshot as unknown as { value: unknown }).value);
    }
  }

  #record(value: unknown): void {
    const outputs = this.#pendingOutputs;
    this.#pendingOutputs = [];
    const record: TraceTransitionBody = {
      actor: this.#options.actor,
      machine: this.#options.machineId,
      index: this.#index++,
      event: this.#pendingEvent ?? { type: 'unknown' },
      state: JSON.stringify(value),
      outputs,
      ...(this.#index === 1 ? { input: plainRecord(this.#options.input as object) } : {}),
    };
    this.#records.push(record);
    this.#options.onTrace?.(record);
    for (const output of outputs) this.#dispatch(output);
    queueMicrotask(() => {
      for (const waiter of [...this.#waiters]) waiter();
    });
  }

  #dispatch(output: Output): void {
    // Effects run after the transition completes, never inside it: a handler that feeds an event
    // back synchronously must not re-enter the machine mid-step.
    queueMicrotask(() => {
      Promise.resolve()
        .then(() => this.#options.onOutput(output))
        .catch((error: unknown) => this.#options.onEffectError?.(error, output));
    });
  }
}
