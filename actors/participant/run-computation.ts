// The programmatic API for a whole computation: rounds of participants (each round's participants
// run concurrently, rounds one after another), their sources given as bytes and their results
// collected in memory. Used by scenarios, tests and benchmarks.
import type { Step } from '../../machines/index.js';
import type { Identity, LoadedPolicy } from '../../protocol/index.js';
import type { Transport } from '../runtime/endpoint.js';
import { runParticipant, type ParticipantResult } from './participant-actor.js';

export interface PartyPlan {
  readonly name?: string;
  readonly identity: Identity;
  readonly steps: readonly Step[];
  /** Source label -> bytes (steps name sources by label). */
  readonly sources?: Readonly<Record<string, Uint8Array>>;
}

export interface PartyOutcome extends ParticipantResult {
  readonly name: string;
  /** Destination label -> bytes read. */
  readonly results: ReadonlyMap<string, Uint8Array>;
}

export interface RunComputationOptions {
  readonly bus: Transport;
  readonly policy: LoadedPolicy;
  readonly rounds: readonly (readonly PartyPlan[])[];
  readonly computation?: string;
  readonly clock?: () => Date;
  readonly timeoutMs?: number;
  /** Stop at the first round with a participant that did not finish (default true). */
  readonly stopOnFailure?: boolean;
}

export async function runParty(
  options: Omit<RunComputationOptions, 'rounds'>,
  plan: PartyPlan,
  index = 0,
): Promise<PartyOutcome> {
  const results = new Map<string, Uint8Array>();
  const result = await runParticipant({
    bus: options.bus,
    policy: options.policy,
    identity: plan.identity,
    steps: plan.steps,
    readSource: async (label) => {
      const bytes = plan.sources?.[label];
      if (!bytes) throw new Error(`no source named ${label}`);
      return bytes;
    },
    writeResult: async (label, bytes) => void results.set(label, bytes),
    ...(options.computation ? { computation: options.computation } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  return { ...result, name: plan.name ?? `party-${index}`, results };
}

export async function runComputation(options: RunComputationOptions): Promise<PartyOutcome[][]> {
  const outcomes: PartyOutcome[][] = [];
  for (const round of options.rounds) {
    const results = await Promise.all(round.map((plan, i) => runParty(options, plan, i)));
    outcomes.push(results);
    if ((options.stopOnFailure ?? true) && results.some((r) => !r.ok)) break;
  }
  return outcomes;
}
