// Drives a machine purely: `initialTransition` then `transition` per event, collecting the state
// value and the emitted outputs of each step without executing anything. Replay and tests use it;
// a live actor produces the same steps, so comparing the two finds determinism violations.
import {
  initialTransition,
  transition,
  type AnyStateMachine,
  type EventFromLogic,
  type InputFrom,
} from 'xstate';

export interface DrivenStep {
  /** The event fed (the init step uses `{type: 'xstate.init'}`). */
  readonly event: Record<string, unknown>;
  /** JSON of the state value after the event. */
  readonly state: string;
  /** `running`, `done`, `error` or `stopped`. */
  readonly status: string;
  readonly outputs: readonly Record<string, unknown>[];
  /** The machine's context after the event (public values and handles only: docs/architecture.md). */
  readonly context: unknown;
}

function emittedOf(
  actions: readonly { type: string; params?: unknown }[],
): Record<string, unknown>[] {
  return actions
    .filter((a) => a.type === 'xstate.emit')
    .map((a) => (a.params as { event: Record<string, unknown> }).event);
}

/** A machine stepped one event at a time. */
export class MachineDriver<M extends AnyStateMachine> {
  readonly machine: M;
  #snapshot: ReturnType<M['getInitialSnapshot']> | undefined;

  constructor(machine: M) {
    this.machine = machine;
  }

  start(input: InputFrom<M>): DrivenStep {
    const [snapshot, actions] = initialTransition(this.machine, input as never);
    this.#snapshot = snapshot as never;
    return this.#step({ type: 'xstate.init' }, snapshot, actions);
  }

  send(event: EventFromLogic<M>): DrivenStep {
    if (this.#snapshot === undefined) throw new Error('MachineDriver: start() first');
    const [snapshot, actions] = transition(this.machine, this.#snapshot as never, event);
    this.#snapshot = snapshot as never;
    return this.#step(event as Record<string, unknown>, snapshot, actions);
  }

  get snapshot() {
    return this.#snapshot;
  }

  #step(
    event: Record<string, unknown>,
    snapshot: { value: unknown; status: string; context?: unknown },
    actions: unknown[],
  ): DrivenStep {
    return {
      event,
      state: JSON.stringify(snapshot.value),
      status: snapshot.status,
      outputs: emittedOf(actions as { type: string; params?: unknown }[]),
      context: snapshot.context,
    };
  }
}

/** Feeds `events` after starting with `input`; returns every step including the init step. */
export function drive<M extends AnyStateMachine>(
  machine: M,
  input: InputFrom<M>,
  events: readonly EventFromLogic<M>[],
): DrivenStep[] {
  const driver = new MachineDriver(machine);
  const steps = [driver.start(input)];
  for (const event of events) steps.push(driver.send(event));
  return steps;
}
