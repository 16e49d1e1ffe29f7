// The timeline page's data: one run of one computation as plain JSON (`PageRun`), made from the
// shared run model (actors/replay/journal-runs.ts) and replay's per-step contexts. The page renders
// from this alone, so `vc replay --html` embeds it and `vc inspect` streams it (docs/observability.md).
import { replayTraces, type Lane, type RunJournal } from '../../actors/index.js';

/** A protocol message as the page shows it. */
interface PageMessage {
  readonly type: 'message';
  readonly seq: number;
  readonly time: number;
  /** The sender's lane. */
  readonly actor: string;
  /** The recipient's lane; null for an announcement (drawn to the broadcast marker). */
  readonly to: string | null;
  readonly kind: string;
  readonly subject: string;
  readonly size: number;
  readonly body: unknown;
  readonly code: string | null;
  readonly inReplyTo: number | null;
  readonly verified: boolean;
}

/** A machine transition as the page shows it. */
interface PageTransition {
  readonly type: 'transition';
  readonly seq: number;
  readonly time: number;
  readonly actor: string;
  readonly traceActor: string;
  readonly machine: string;
  readonly index: number;
  readonly event: string;
  /** Innermost state name, the whole state value (JSON) and every state path it is in. */
  readonly state: string;
  readonly stateValue: string;
  readonly paths: readonly string[];
  readonly outputs: readonly string[];
  readonly code: string | null;
  /** The machine's context after this step, from replay; null when replay did not reach it. */
  readonly context: unknown;
  readonly verified: boolean;
}

type PageEvent = PageMessage | PageTransition;

/** One run of one computation, as the timeline page receives it. */
export interface PageRun {
  readonly computation: string;
  readonly run: string;
  /** 1-based number of the run among its computation's runs. */
  readonly number: number;
  readonly policyHash: string | null;
  readonly lanes: readonly Lane[];
  /** Time of the first and the last event (ms since the epoch); 0 for an empty run. */
  readonly start: number;
  readonly end: number;
  /** Number of protocol messages (trace records excluded). */
  readonly messageCount: number;
  /** Every event in journal order. */
  readonly events: readonly PageEvent[];
  /** Actors whose replay diverged from the recording, with the reason. */
  readonly divergences: readonly {
    readonly actor: string;
    readonly index: number;
    readonly reason: string;
  }[];
}

/** Every state path a JSON state value is in (`{"serving":"idle"}` -> serving, serving.idle). */
export function statePaths(stateValue: string): string[] {
  const paths: string[] = [];
  const walk = (value: unknown, prefix: string): void => {
    if (typeof value === 'string') paths.push(prefix + value);
    else if (value && typeof value === 'object')
      for (const [key, inner] of Object.entries(value)) {
        paths.push(prefix + key);
        walk(inner, `${prefix}${key}.`);
      }
  };
  try {
    walk(JSON.parse(stateValue), '');
  } catch {
    paths.push(stateValue);
  }
  return paths;
}

/** Plain JSON for a context: bytes as their length, bigints as strings, maps and sets as lists. */
function plainJson(value: unknown, depth = 0): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Uint8Array) return `‹${value.length} bytes›`;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function') return '‹function›';
  if (typeof value !== 'object') return value;
  if (depth > 8) return '‹…›';
  if (value instanceof Map) return [...value.entries()].map((e) => plainJson(e, depth + 1));
  if (value instanceof Set) return [...value].map((v) => plainJson(v, depth + 1));
  if (Array.isArray(value)) return value.map((v) => plainJson(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = plainJson(inner, depth + 1);
  return out;
}

/** The page's JSON for one run: its events, each transition with the replayed context. */
export function toPageRun(run: RunJournal): PageRun {
  const replays = replayTraces(run.traces);
  const contexts = new Map(replays.map((r) => [r.actor, r.contexts]));
  const events = run.events.map((e): PageEvent => {
    if (e.type === 'message')
      return {
        type: 'message',
        seq: e.seq,
        time: e.time,
        actor: e.actor,
        to: e.to ?? null,
        kind: e.kind,
        subject: e.subject,
        size: e.size,
        body: plainJson(e.body),
        code: e.code ?? null,
        inReplyTo: e.inReplyTo ?? null,
        verified: e.verified,
      };
    return {
      type: 'transition',
      seq: e.seq,
      time: e.time,
      actor: e.actor,
      traceActor: e.traceActor,
      machine: e.machine,
      index: e.index,
      event: e.event,
      state: e.state,
      stateValue: e.stateValue,
      paths: statePaths(e.stateValue),
      outputs: e.outputs,
      code: e.code ?? null,
      context: e.verified ? plainJson(contexts.get(e.traceActor)?.[e.index]) : null,
      verified: e.verified,
    };
  });
  return {
    computation: run.computation,
    run: run.run,
    number: run.number,
    policyHash: run.policyHash ?? null,
    lanes: run.lanes.map((l) => ({ name: l.name, role: l.role })),
    start: events.length ? Math.min(...events.map((e) => e.time)) : 0,
    end: events.length ? Math.max(...events.map((e) => e.time)) : 0,
    messageCount: run.messages.length,
    events,
    divergences: replays.flatMap((r) =>
      r.divergence
        ? [{ actor: r.actor, index: r.divergence.index, reason: r.divergence.reason }]
        : [],
    ),
  };
}
