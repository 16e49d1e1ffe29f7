// A party's turn run in this process through the protocol's participant actor (actors/), with its
// sources and results in memory. Used by the embedded and in-process NATS environments.
import type { Transport } from '../../transport/index.js';
import { runParty } from '../../actors/index.js';
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
