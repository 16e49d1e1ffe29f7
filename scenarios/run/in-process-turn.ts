// What the embedded and in-process NATS environments share: a party's turn run in this process
// through the protocol's participant actor (actors/), with its sources and results in memory; and
// the end of a run's computation through the system's registry, as `vc computations stop` does.
import type { Transport } from '../../transport/index.js';
import { runParty, stopComputation, type System } from '../../actors/index.js';
import type { PreparedRun } from '../prepare.js';
import type { Turn } from '../scenario.js';
import type { TurnOutcome } from './environment.js';

export async function runTurnInProcess(
  bus: Transport,
  run: PreparedRun,
  turn: Turn,
  options: { clock?: () => Date; timeoutMs?: number } = {},
): Promise<TurnOutcome> {
  const identity = run.identities.get(turn.party);
  if (!identity) throw new Error(`no identity for party ${turn.party}`);
  const sources = Object.fromEntries(run.plan.sources.get(turn.party) ?? new Map());
  const outcome = await runParty(
    {
      bus,
      policy: run.policy,
      computation: run.computation,
      ...(options.clock ? { clock: options.clock } : {}),
      timeoutMs: options.timeoutMs ?? 60_000,
    },
    { name: turn.party, identity, steps: turn.steps, sources },
  );
  return {
    party: turn.party,
    ok: outcome.ok,
    state: outcome.state,
    ...(outcome.failure ? { failure: outcome.failure } : {}),
    results: outcome.results,
  };
}

/** Stops the computation if it is still live (a final or unknown one is left as it is). */
export async function endComputation(system: System, computation: string): Promise<void> {
  if (!(await system.computations.show(computation))) return;
  await stopComputation({ bus: system.bus, registry: system.computations, computation });
}
