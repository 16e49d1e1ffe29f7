// Runs one prepared scenario in an environment: watches the bus live (actors' watchLive, the decoder
// `vc watch` uses), launches the enclave (attested
// and ready), plays the rounds (turns of a round concurrently), checks the results against the
// reference, and reports, with the bytes the computation put on the bus and the scenario's own
// figures (its plan's `measure`). Progress goes to an observer as it happens.
import type {
  Environment,
  JournalInfo,
  LaunchInfo,
  ModeName,
  TurnOutcome,
} from './run/environment.js';
import { type ErrorCode, computationOfSubject, sha256Hex, toVcError } from '../protocol/index.js';
import { watchLive, type TransitionEvent } from '../actors/index.js';
import { enclavePhases, type PhaseTime } from './phases.js';
import type { PreparedRun } from './prepare.js';
import type { Measurement, PartyResults, Verdict } from './scenario.js';

export type ScenarioEvent =
  | { readonly type: 'launching'; readonly computation: string }
  | { readonly type: 'launched'; readonly info: LaunchInfo; readonly ms: number }
  | {
      readonly type: 'round';
      readonly round: number;
      readonly of: number;
      readonly parties: readonly string[];
    }
  /** A verified machine transition of an actor of the run (participants by their policy name). */
  | { readonly type: 'transition'; readonly transition: TransitionEvent }
  | {
      readonly type: 'turn';
      readonly round: number;
      readonly outcome: TurnOutcome;
      readonly ms: number;
    };

/** One result a party read, as the report gives it: size, digest and, when known, its meaning. */
interface ResultSummary {
  readonly bytes: number;
  /** Lowercase hex SHA-256 of the bytes. */
  readonly sha256: string;
  /** The decoded value, when the scenario knows the result's format (`ScenarioPlan.decode`). */
  readonly value?: unknown;
}

interface RoundReport {
  readonly ms: number;
  readonly outcomes: readonly TurnOutcome[];
}

export interface ScenarioReport {
  readonly scenario: string;
  readonly mode: ModeName;
  readonly computation: string;
  /** The namespace its subjects, stream and buckets live in (default `vc`). */
  readonly namespace: string;
  readonly policyHash: string;
  readonly ok: boolean;
  readonly verdict: Verdict;
  readonly launch?: LaunchInfo;
  readonly launchMs: number;
  readonly rounds: readonly RoundReport[];
  readonly phases: readonly PhaseTime[];
  readonly totalMs: number;
  readonly messages: number;
  /** Party -> destination label -> what it read (every party that read something). */
  readonly results: Readonly<Record<string, Readonly<Record<string, ResultSummary>>>>;
  /** Bytes the computation put on the bus: its signed messages and its sealed bulk chunks. */
  readonly busBytes: number;
  /** The scenario's own figures (its plan's `measure`), when it has any and the run completed. */
  readonly metrics?: readonly Measurement[];
  readonly journal?: JournalInfo;
  /** Set when the run stopped before its checks (launch or a turn failed). */
  readonly failure?: { readonly code: ErrorCode; readonly message: string };
}

export interface RunScenarioOptions {
  readonly onEvent?: (event: ScenarioEvent) => void;
  /** Monotonic milliseconds (injected for tests); default performance.now. */
  readonly now?: () => number;
}

export async function runScenario(
  run: PreparedRun,
  env: Environment,
  options: RunScenarioOptions = {},
): Promise<ScenarioReport> {
  const now = options.now ?? (() => performance.now());
  const emit = options.onEvent ?? (() => undefined);
  const transitions: TransitionEvent[] = [];
  // Signed messages on the computation's own subjects (<ns>.c.<id>.>), traces included.
  let messages = 0;
  let busBytes = 0;
  const watch = await watchLive(env.bus, {
    policies: [run.policy],
    onEvent: (event) => {
      if (event.computation !== run.computation) return;
      if (event.type === 'message') {
        busBytes += event.size;
        if (computationOfSubject(event.subject) === run.computation) messages++;
        return;
      }
      messages++;
      if (!event.verified) return;
      transitions.push(event);
      emit({ type: 'transition', transition: event });
    },
  });
  // The sealed chunks of uploads and results travel outside the journal (docs/protocol.md, "Bulk
  // chunks"): counted here so that busBytes is every byte the computation put on the bus.
  const bulk = env.bus.subscribe(env.bus.subjects.bulkAll(run.computation), (message) => {
    busBytes += message.data.length;
  });
  const started = now();
  const rounds: RoundReport[] = [];
  let launch: LaunchInfo | undefined;
  let launchMs = 0;
  let failure: ScenarioReport['failure'];
  try {
    emit({ type: 'launching', computation: run.computation });
    launch = await env.launch(run);
    launchMs = now() - started;
    emit({ type: 'launched', info: launch, ms: launchMs });
    for (const [index, round] of run.plan.rounds.entries()) {
      emit({
        type: 'round',
        round: index + 1,
        of: run.plan.rounds.length,
        parties: round.map((t) => t.party),
      });
      const roundStart = now();
      const outcomes = await Promise.all(
        round.map(async (turn) => {
          const turnStart = now();
          const outcome = await env.runTurn(run, turn, index + 1);
          emit({ type: 'turn', round: index + 1, outcome, ms: now() - turnStart });
          return outcome;
        }),
      );
      rounds.push({ ms: now() - roundStart, outcomes });
      const failed = outcomes.find((o) => !o.ok);
      if (failed) {
        failure = {
          code: failed.failure?.code ?? 'ERR_PARTICIPANT_FAILED',
          message: `${failed.party} ended in ${failed.state}: ${failed.failure?.message ?? 'no reason given'}`,
        };
        break;
      }
    }
  } catch (error) {
    const refusal = toVcError(error);
    failure = { code: refusal.code, message: refusal.message };
  }
  const totalMs = now() - started;
  // A run that stopped early (a refused participant, a failed turn) leaves no enclave running.
  if (failure && launch) await env.end(run).catch(() => undefined);
  try {
    // Rejects with what the narration threw or a record the decoder failed on (a bug).
    await settleTraces(watch);
  } finally {
    watch.stop();
    bulk.unsubscribe();
  }
  const results = collectResults(rounds);
  const verdict: Verdict = failure
    ? { ok: false, headline: `the run stopped: ${failure.code}`, details: [failure.message] }
    : safeCheck(run, results);
  const metrics = failure ? undefined : safeMeasure(run, rounds, busBytes);
  const journal = await env.journal(run);
  return {
    scenario: run.scenario.name,
    mode: env.mode,
    computation: run.computation,
    namespace: env.bus.subjects.namespace,
    policyHash: run.policy.hash,
    ok: verdict.ok,
    verdict,
    ...(launch ? { launch } : {}),
    launchMs,
    rounds,
    phases: enclavePhases(transitions),
    totalMs,
    messages,
    results: summarize(run, results),
    busBytes,
    ...(metrics ? { metrics } : {}),
    ...(journal ? { journal } : {}),
    ...(failure ? { failure } : {}),
  };
}

/**
 * Trace records of the last steps may still be in flight, or waiting up to 50 ms in an actor's
 * batch (docs/protocol.md, "Trace batches"): wait for them.
 */
async function settleTraces(watch: { settle(): Promise<void> }): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  await watch.settle();
}

function collectResults(rounds: readonly RoundReport[]): PartyResults {
  const results = new Map<string, Map<string, Uint8Array>>();
  for (const round of rounds)
    for (const outcome of round.outcomes) {
      const mine = results.get(outcome.party) ?? new Map<string, Uint8Array>();
      for (const [label, bytes] of outcome.results) mine.set(label, bytes);
      results.set(outcome.party, mine);
    }
  return results;
}

function summarize(run: PreparedRun, results: PartyResults): ScenarioReport['results'] {
  const out: Record<string, Record<string, ResultSummary>> = {};
  for (const [party, read] of results) {
    if (read.size === 0) continue;
    const mine: Record<string, ResultSummary> = {};
    for (const [label, bytes] of read) {
      const value = safeDecode(run, party, label, bytes);
      mine[label] = {
        bytes: bytes.length,
        sha256: sha256Hex(bytes),
        ...(value === undefined ? {} : { value }),
      };
    }
    out[party] = mine;
  }
  return out;
}

/** A decoder that throws (a result not in the format it expects) leaves the result undecoded. */
function safeDecode(run: PreparedRun, party: string, label: string, bytes: Uint8Array): unknown {
  try {
    return run.plan.decode?.(party, label, bytes);
  } catch {
    return undefined;
  }
}

/**
 * The report as JSON text (`vc scenario run --json`): each round's outcomes name the labels their
 * party read, and `results` gives every result's size, digest and decoded value.
 */
export function reportJson(report: ScenarioReport): string {
  return JSON.stringify({
    ...report,
    rounds: report.rounds.map((round) => ({
      ms: round.ms,
      outcomes: round.outcomes.map(({ results, ...outcome }) => ({
        ...outcome,
        read: [...results.keys()],
      })),
    })),
  });
}

function safeCheck(run: PreparedRun, results: PartyResults): Verdict {
  try {
    return run.plan.check(results);
  } catch (error) {
    return { ok: false, headline: 'the results could not be checked', details: [String(error)] };
  }
}

function safeMeasure(
  run: PreparedRun,
  rounds: readonly RoundReport[],
  busBytes: number,
): readonly Measurement[] | undefined {
  if (!run.plan.measure) return undefined;
  try {
    return run.plan.measure({ roundMs: rounds.map((r) => r.ms), busBytes });
  } catch {
    return undefined;
  }
}
