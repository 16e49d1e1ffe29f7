// Reads protocol journal records (recorded, or live off the bus) into runs and a chronological event
// list: the one model that `vc replay`, `vc watch`, the timeline page and the OTLP export share
// (docs/observability.md).
//
// - Verify-then-use: the policy comes from the computation's `host.launch`, so participants verify
//   by their policy certificates, the verifier by `proxy_service_cert`, self-certifying senders
//   (`k:`) by their own key. A record that does not verify is kept, marked `verified: false`.
// - Runs: a computation's id names its policy, so running one policy twice journals two runs under
//   one computation. Each `host.launch` starts a run (its id is derived from the launch envelope);
//   an actor's trace belongs to the run that was current when its first record (index 0) came.
// - Session channels (docs/protocol.md): their messages are MAC'd under keys only the participant
//   and the enclave hold, so they cannot be verified one by one. They are held, each marked
//   unverified, until the channel's `session.receipt` (signed by the enclave) comes: when its counts
//   and transcript hash match the channel's messages in the journal, they become verified; when not
//   (a message changed, dropped or added), they stay unverified and the receipt carries
//   ERR_SESSION_RECEIPT_MISMATCH. A channel without a receipt stays unverified.
// - Lanes: participants by their policy name (the certificate's common name), the enclave, each
//   host, the verifier; a message's recipient comes from its subject, a reply's from the request it
//   answers.
import { createHash } from 'node:crypto';
import type { webcrypto } from 'node:crypto';
import {
  type BodyOf,
  type HostLaunchBody,
  type TraceTransitionBody,
  commonNameOf,
  computationIdFor,
  computationOfSubject,
  subjectShape,
  type LoadedPolicy,
  parseCertificatePem,
  parsePolicy,
  ProtocolError,
  REPLY_KIND,
} from '../../protocol/index.js';
import { decodePlain, openEnvelope, protocolKinds, Transcript } from '../../transport/index.js';
import { channelIdOf } from '../runtime/session-channel.js';
import { keyFromSenderId, certificateSenderId } from '../runtime/sender-ids.js';
import { policyParticipants, verifierKey, VERIFIER_SENDER_ID } from '../runtime/policy-keys.js';
import { stateName } from '../runtime/log.js';
import { describeBody, refusalCode } from './describe.js';

/** One record of a journal: its position, when it was recorded, where and what. */
export interface RunRecord {
  readonly seq: number;
  readonly time: number;
  readonly subject: string;
  readonly data: Uint8Array;
}

type LaneRole = 'participant' | 'enclave' | 'host' | 'verifier' | 'operator';

export interface Lane {
  readonly name: string;
  readonly role: LaneRole;
}

interface EventBase {
  /** Position of the record in the journal (1-based). */
  readonly seq: number;
  /** When it was recorded (ms since the epoch). */
  readonly time: number;
  readonly computation: string;
  readonly run: string;
  /** The lane of the actor that sent it. */
  readonly actor: string;
  readonly verified: boolean;
  /** A refusal or failure code carried by the record (`ERR_*`), if any. */
  readonly code?: string;
}

/** A machine transition of one actor (a trace record). */
export interface TransitionEvent extends EventBase {
  readonly type: 'transition';
  /** The trace's own actor name (`participant-1-3fa2c1`, `enclave`, `host`, `verifier`). */
  readonly traceActor: string;
  readonly machine: string;
  readonly index: number;
  readonly event: string;
  /** The innermost state name, and the whole state value as JSON. */
  readonly state: string;
  readonly stateValue: string;
  readonly outputs: readonly string[];
  readonly record: TraceTransitionBody;
}

/** A protocol message between two lanes (`to` undefined: an announcement to every listener). */
export interface MessageEvent extends EventBase {
  readonly type: 'message';
  readonly kind: string;
  readonly to: string | undefined;
  readonly subject: string;
  readonly size: number;
  /** The decoded body, binary fields summarised (public by construction: secrets travel sealed). */
  readonly body: unknown;
  /** For a reply: the journal position of the request it answers. */
  readonly inReplyTo?: number;
}

export type RunEvent = TransitionEvent | MessageEvent;

export interface RunJournal {
  readonly computation: string;
  readonly run: string;
  /** 1-based number of this run among its computation's runs. */
  readonly number: number;
  readonly policyHash: string | undefined;
  readonly lanes: readonly Lane[];
  /** Every event in journal order. */
  readonly events: readonly RunEvent[];
  /** The protocol messages (trace records excluded). */
  readonly messages: readonly MessageEvent[];
  /** The trace records in journal order (what replay re-drives); unverified ones under their own actor name. */
  readonly traces: readonly TraceTransitionBody[];
  readonly unverified: number;
  /** Session channels (hex ids) whose signed receipt does not match their messages in the journal. */
  readonly receiptMismatches: readonly string[];
  /** Position (1-based) in the whole journal of this run's last record; 0 for none. */
  readonly lastRecord: number;
}

type Lookup = (from: string) => Promise<webcrypto.CryptoKey | undefined>;

interface Loose {
  readonly kind: string;
  readonly from: string;
  readonly seq: number;
  readonly ts: number;
  readonly computation: string;
  readonly body: unknown;
  /** A session-channel envelope (version 2): its channel id, hex (NOT verified). */
  readonly channel?: string;
}

function decodeUnverified(data: Uint8Array): Loose | undefined {
  try {
    const e = decodePlain(data) as Record<string, unknown>;
    if (typeof e['kind'] !== 'string' || typeof e['from'] !== 'string') return undefined;
    if (typeof e['computation'] !== 'string' || !(e['body'] instanceof Uint8Array))
      return undefined;
    const sig = e['sig'];
    const channel =
      e['v'] === 2 && sig instanceof Uint8Array && sig.length === 48
        ? Buffer.from(sig.subarray(0, 16)).toString('hex')
        : undefined;
    return {
      kind: e['kind'],
      from: e['from'],
      seq: typeof e['seq'] === 'number' ? e['seq'] : -1,
      ts: typeof e['ts'] === 'number' ? e['ts'] : 0,
      computation: e['computation'],
      body: decodePlain(e['body']),
      ...(channel === undefined ? {} : { channel }),
    };
  } catch {
    return undefined;
  }
}

/** Who is who in one computation, learnt from its policy. */
interface Cast {
  readonly keys: Lookup;
  /** Participant sender id -> policy name. */
  readonly names: ReadonlyMap<string, string>;
  /** Policy identity id -> policy name. */
  readonly byIdentity: ReadonlyMap<number, string>;
  readonly policyHash: string | undefined;
}

const strangerCast: Cast = {
  keys: keyFromSenderId,
  names: new Map(),
  byIdentity: new Map(),
  policyHash: undefined,
};

/**
 * The cast of a launch's policy. The launch is signed by an operator (`k:` id) or by one of the
 * policy's participants (`vc launch --identity`), whose key only the policy names: read the policy
 * unverified, then accept it only if the launch verifies against it.
 */
async function castOf(launch: Uint8Array): Promise<Cast> {
  const loose = decodeUnverified(launch);
  try {
    const body = loose?.body as HostLaunchBody;
    const cast = await castOfPolicy(parsePolicy(body.policy, { now: new Date(loose!.ts) }));
    await openEnvelope(launch, { keys: cast.keys, kinds: protocolKinds() });
    return cast;
  } catch {
    return strangerCast;
  }
}

async function castOfPolicy(loaded: LoadedPolicy): Promise<Cast> {
  const participants = await policyParticipants(loaded.policy);
  const verifier = await verifierKey(loaded.policy);
  const names = new Map<string, string>();
  const byIdentity = new Map<number, string>();
  for (const identity of loaded.policy.identities) {
    const certificate = parseCertificatePem(identity.certificate);
    const name = commonNameOf(certificate) ?? `participant-${identity.id}`;
    names.set(certificateSenderId(new Uint8Array(certificate.rawData)), name);
    byIdentity.set(identity.id, name);
  }
  return {
    keys: async (from) =>
      from === VERIFIER_SENDER_ID
        ? verifier
        : (participants.get(from)?.key ?? (await keyFromSenderId(from))),
    names,
    byIdentity,
    policyHash: loaded.hash,
  };
}

const HOST_KINDS = new Set(['host.launched', 'host.stopped', 'computation.ended']);

function runIdOf(launch: Uint8Array): string {
  return `r${createHash('sha256').update(launch).digest('hex').slice(0, 10)}`;
}

interface PendingRequest {
  readonly seq: number;
  readonly from: string;
  readonly target: LaneRole;
  readonly replyKind: string | undefined;
}

/** One computation's runs while they are being read. */
class ComputationRuns {
  readonly runs: MutableRun[] = [];
  cast: Cast = strangerCast;
  /** The run whose launch came last; undefined before any launch. */
  current: MutableRun | undefined;
  /** The current run has ended (computation.ended, enclave shutdown): a new trace opens a new run. */
  currentEnded = false;
  /** Trace actor -> run of its current segment. */
  readonly segments = new Map<string, MutableRun>();
  /** Sender id -> lane. */
  readonly senders = new Map<string, Lane>();
  readonly pending: PendingRequest[] = [];
  /** Session channels opened by a verified `session.open`, by hex id: their messages so far. */
  readonly channels = new Map<string, ChannelRecords>();

  readonly computation: string;

  constructor(computation: string) {
    this.computation = computation;
  }

  open(run: string): MutableRun {
    const opened = new MutableRun(
      this.computation,
      run,
      this.runs.length + 1,
      this.cast.policyHash,
    );
    this.runs.push(opened);
    this.current = opened;
    this.currentEnded = false;
    return opened;
  }

  /** The run a record belongs to when it names no run of its own. */
  currentRun(): MutableRun {
    return this.current ?? this.open(`${this.computation.slice(0, 11)}-1`);
  }
}

interface ChannelRecords {
  readonly participant: string;
  readonly messages: {
    readonly event: MessageEvent;
    readonly run: MutableRun;
    readonly from: string;
    readonly seq: number;
    readonly data: Uint8Array;
  }[];
}

class MutableRun implements RunJournal {
  readonly lanes: Lane[] = [];
  readonly events: RunEvent[] = [];
  readonly messages: MessageEvent[] = [];
  readonly traces: TraceTransitionBody[] = [];
  unverified = 0;
  readonly receiptMismatches: string[] = [];
  lastRecord = 0;

  readonly computation: string;
  readonly run: string;
  readonly number: number;
  readonly policyHash: string | undefined;

  constructor(computation: string, run: string, number: number, policyHash: string | undefined) {
    this.computation = computation;
    this.run = run;
    this.number = number;
    this.policyHash = policyHash;
  }

  lane(lane: Lane): void {
    if (!this.lanes.some((l) => l.name === lane.name)) this.lanes.push(lane);
  }
}

/**
 * Turns journal records into run events one record at a time: `vc watch` feeds it live, `readRuns`
 * a whole journal.
 */
export class RunDecoder {
  readonly #computations = new Map<string, ComputationRuns>();

  /**
   * Teaches the decoder a computation's policy before its `host.launch` is seen (a watcher started
   * after the launch), so that its parties are named and verified; returns the computation id.
   */
  async knowPolicy(policy: LoadedPolicy): Promise<string> {
    const computation = computationIdFor(policy.hash);
    this.#computationRuns(computation).cast = await castOfPolicy(policy);
    return computation;
  }

  /** Every run seen so far, per computation in order of first appearance. */
  runs(): RunJournal[] {
    return [...this.#computations.values()].flatMap((c) => c.runs);
  }

  /**
   * The events the record makes (none when it belongs to no computation; one per transition of a
   * trace batch; one otherwise).
   */
  async add(record: RunRecord): Promise<RunEvent[]> {
    const loose = decodeUnverified(record.data);
    const computation = loose?.computation ?? computationOfSubject(record.subject);
    if (!loose || !computation) return [];
    const c = this.#computationRuns(computation);
    if (subjectShape(record.subject).place === 'launch' && loose.kind === 'host.launch') {
      c.cast = await castOf(record.data);
      c.open(runIdOf(record.data));
    }
    let verified = true;
    let kind = loose.kind;
    let body = loose.body;
    let from = loose.from;
    try {
      const opened = await openEnvelope(record.data, {
        keys: (sender) => c.cast.keys(sender),
        kinds: protocolKinds(),
      });
      kind = opened.kind;
      body = opened.body;
      from = opened.from;
    } catch {
      verified = false;
    }
    if (kind === 'trace.transition')
      return [this.#transition(c, record, from, body as TraceTransitionBody, verified)];
    if (kind === 'trace.batch') {
      // Unverified, the body is only what it claims: a batch of records, each read as one.
      const records = (body as { records?: unknown } | undefined)?.records;
      return Array.isArray(records)
        ? records.map((trace) =>
            this.#transition(c, record, from, trace as TraceTransitionBody, verified),
          )
        : [];
    }
    const event = this.#message(c, record, { kind, from, body, verified });
    if (verified && kind === 'session.open') {
      const enc = (body as { enc: Uint8Array }).enc;
      c.channels.set(Buffer.from(channelIdOf(enc)).toString('hex'), {
        participant: from,
        messages: [],
      });
    }
    const held = loose.channel === undefined ? undefined : c.channels.get(loose.channel);
    if (!verified && held && bodyFits(kind, body)) {
      held.messages.push({ event, run: c.currentRun(), from, seq: loose.seq, data: record.data });
    }
    if (verified && kind === 'session.receipt') this.#receipt(c, event, from, body);
    return [event];
  }

  /** A signed receipt: the channel's messages verify together if its transcript matches. */
  #receipt(c: ComputationRuns, event: MessageEvent, enclave: string, body: unknown): void {
    const receipt = body as BodyOf<'session.receipt'>;
    const id = Buffer.from(receipt.channel).toString('hex');
    const held = c.channels.get(id);
    c.channels.delete(id);
    const transcript = new Transcript(receipt.channel);
    // A record of a third sender naming the channel is none of its messages: it stays unverified.
    const ours = (held?.messages ?? []).filter(
      (m) => m.from === held!.participant || m.from === enclave,
    );
    // Either end numbers its messages with non-negative integers: a record whose seq is anything
    // else (unverified bytes, anyone's) was added to the channel, which the receipt then cannot
    // match. It never reaches the transcript, which could not fold it in (a u64 per message).
    const added = ours.some((m) => !Number.isSafeInteger(m.seq) || m.seq < 0);
    if (!added) for (const m of ours) transcript.add(m.from === held!.participant, m.seq, m.data);
    const own = transcript.summary();
    const matches =
      held !== undefined &&
      !added &&
      own.requests === receipt.requests &&
      own.replies === receipt.replies &&
      own.transcript === receipt.transcript;
    if (!matches) {
      (event as { code?: string }).code = 'ERR_SESSION_RECEIPT_MISMATCH';
      c.currentRun().receiptMismatches.push(id);
      return;
    }
    for (const m of ours) {
      if (m.event.verified) continue;
      (m.event as { verified: boolean }).verified = true;
      m.run.unverified--;
    }
  }

  #computationRuns(computation: string): ComputationRuns {
    let c = this.#computations.get(computation);
    if (!c) {
      c = new ComputationRuns(computation);
      this.#computations.set(computation, c);
    }
    return c;
  }

  #transition(
    c: ComputationRuns,
    record: RunRecord,
    from: string,
    trace: TraceTransitionBody,
    verified: boolean,
  ): TransitionEvent {
    let run = c.segments.get(trace.actor);
    if (trace.index === 0 || !run) {
      run = c.currentEnded ? c.open(`${c.current!.run}+${c.runs.length}`) : c.currentRun();
      c.segments.set(trace.actor, run);
    }
    const lane = this.#traceLane(c, trace, from);
    if (verified && !c.senders.has(from)) c.senders.set(from, lane);
    run.lane(lane);
    run.lastRecord = record.seq;
    // A trace that does not verify (a refused stranger's own recording) is still replayed, under
    // a name of its own, so it can never be mixed into a verified actor's timeline.
    if (verified) run.traces.push(trace);
    else {
      run.unverified++;
      run.traces.push({ ...trace, actor: `${trace.actor} (unverified)` });
    }
    const outputs = trace.outputs.map((o) => briefOutput(o));
    const code = refusalCode(trace.event) ?? trace.outputs.map(refusalCode).find(Boolean);
    const event: TransitionEvent = {
      type: 'transition',
      seq: record.seq,
      // A batched record left after its transition: its own time, never later than the journal's.
      time: Math.min(record.time, trace.at ?? record.time),
      computation: c.computation,
      run: run.run,
      actor: lane.name,
      verified,
      ...(code ? { code } : {}),
      traceActor: trace.actor,
      machine: trace.machine,
      index: trace.index,
      event: String(trace.event['type']),
      state: leafState(trace.state),
      stateValue: trace.state,
      outputs,
      record: trace,
    };
    run.events.push(event);
    if (trace.machine === 'enclave' && isFinal(event.state)) c.currentEnded = true;
    return event;
  }

  #traceLane(c: ComputationRuns, trace: TraceTransitionBody, from: string): Lane {
    switch (trace.machine) {
      case 'participant': {
        const id = /^participant-(\d+)-/.exec(trace.actor)?.[1];
        const name =
          (id === undefined ? undefined : c.cast.byIdentity.get(Number(id))) ??
          c.cast.names.get(from) ??
          trace.actor;
        return { name, role: 'participant' };
      }
      case 'enclave':
        return { name: 'enclave', role: 'enclave' };
      case 'host':
        return c.senders.get(from) ?? { name: 'host', role: 'host' };
      case 'verifier':
        return { name: 'verifier', role: 'verifier' };
      default:
        return { name: trace.actor, role: 'operator' };
    }
  }

  #senderLane(c: ComputationRuns, from: string, kind: string, subject: string): Lane {
    const known = c.senders.get(from);
    if (known) return known;
    let lane: Lane;
    if (from === VERIFIER_SENDER_ID) lane = { name: 'verifier', role: 'verifier' };
    else if (c.cast.names.has(from)) lane = { name: c.cast.names.get(from)!, role: 'participant' };
    else if (HOST_KINDS.has(kind)) {
      const hosts = [...c.senders.values()].filter((l) => l.role === 'host').length;
      lane = { name: hosts === 0 ? 'host' : `host-${hosts + 1}`, role: 'host' };
    } else if (subject.split('.')[1] === 'hosts') lane = { name: 'operator', role: 'operator' };
    else lane = { name: 'enclave', role: 'enclave' };
    c.senders.set(from, lane);
    return lane;
  }

  #message(
    c: ComputationRuns,
    record: RunRecord,
    m: { kind: string; from: string; body: unknown; verified: boolean },
  ): MessageEvent {
    const run = c.currentRun();
    const sender = this.#senderLane(c, m.from, m.kind, record.subject);
    run.lane(sender);
    let to: string | undefined;
    let inReplyTo: number | undefined;
    const target = targetOf(record.subject);
    if (subjectShape(record.subject).place === 'inbox') {
      const at = c.pending.findIndex(
        (p) => p.target === sender.role && (m.kind === 'protocol.error' || p.replyKind === m.kind),
      );
      if (at >= 0) {
        const request = c.pending.splice(at, 1)[0]!;
        to = request.from;
        inReplyTo = request.seq;
      }
    } else if (target) {
      to = target === 'enclave' ? 'enclave' : target === 'verifier' ? 'verifier' : undefined;
      if (target === 'host')
        to = [...c.senders.values()].find((l) => l.role === 'host')?.name ?? 'host';
      c.pending.push({
        seq: record.seq,
        from: sender.name,
        target,
        replyKind: (REPLY_KIND as Record<string, string | undefined>)[m.kind],
      });
    }
    if (to !== undefined) run.lane(laneNamed(run, to, target));
    if (m.kind === 'computation.ended' || m.kind === 'enclave.shutdown') c.currentEnded = true;
    run.lastRecord = record.seq;
    if (!m.verified) run.unverified++;
    const code = refusalCode(m.body);
    const event: MessageEvent = {
      type: 'message',
      seq: record.seq,
      time: record.time,
      computation: c.computation,
      run: run.run,
      actor: sender.name,
      verified: m.verified,
      ...(code ? { code } : {}),
      kind: m.kind,
      to,
      subject: record.subject,
      size: record.data.length,
      body: describeBody(m.body),
      ...(inReplyTo === undefined ? {} : { inReplyTo }),
    };
    run.events.push(event);
    run.messages.push(event);
    return event;
  }
}

/** An unverified body that at least has its kind's shape (what a channel's message must have). */
function bodyFits(kind: string, body: unknown): boolean {
  try {
    protocolKinds().get(kind).validate(body);
    return true;
  } catch {
    return false;
  }
}

function laneNamed(run: MutableRun, name: string, role: LaneRole | undefined): Lane {
  return run.lanes.find((l) => l.name === name) ?? { name, role: role ?? 'participant' };
}

/** Whom a request on this subject is for; undefined for announcements and replies. */
function targetOf(subject: string): LaneRole | undefined {
  switch (subjectShape(subject).place) {
    case 'launch':
    case 'host-control':
      return 'host';
    case 'verifier':
      return 'verifier';
    case 'enclave':
      return 'enclave';
    default:
      return undefined;
  }
}

const FINAL_ENCLAVE_STATES = new Set(['shutDown', 'failed']);

function isFinal(state: string): boolean {
  return FINAL_ENCLAVE_STATES.has(state);
}

/** The innermost state name of a JSON state value (`{"serving":"idle"}` -> `serving.idle`). */
function leafState(state: string): string {
  try {
    return stateName(JSON.parse(state));
  } catch {
    return state;
  }
}

function briefOutput(output: unknown): string {
  const o = (output ?? {}) as Record<string, unknown>;
  const kind = typeof o['kind'] === 'string' ? ` ${o['kind']}` : '';
  return `${String(o['type'])}${kind}`;
}

/** Reads a whole journal into its runs (per computation, in order of first appearance). */
export async function readRuns(records: Iterable<RunRecord>): Promise<RunJournal[]> {
  const decoder = new RunDecoder();
  for (const record of records) await decoder.add(record);
  return decoder.runs();
}

/** Computations that appear in the runs, in order of first appearance. */
export function computationsOf(runs: readonly RunJournal[]): string[] {
  return [...new Set(runs.map((r) => r.computation))];
}

/** The run began with a launch (not a participant trying again after the run before ended). */
export function wasLaunched(run: RunJournal): boolean {
  return run.messages.some((m) => m.kind === 'host.launch');
}

/**
 * One run of a computation: the one named, else the latest launched one (else the latest). What
 * comes after a computation ended without a new launch (a participant trying again, refused) is a
 * run of its own, shown when asked for, not in place of the run it follows.
 */
export function runOf(
  runs: readonly RunJournal[],
  computation: string,
  run?: string,
): RunJournal | undefined {
  const ofComputation = runs.filter((r) => r.computation === computation);
  if (run !== undefined) return ofComputation.find((r) => r.run === run);
  return ofComputation.filter(wasLaunched).at(-1) ?? ofComputation.at(-1);
}

/**
 * Reads a journal and returns one run of one computation (the latest unless `run` names one);
 * ERR_NOTHING_TO_REPLAY when the journal holds no such run.
 */
export async function readComputation(
  records: Iterable<RunRecord>,
  computation: string,
  run?: string,
): Promise<RunJournal> {
  const found = runOf(await readRuns(records), computation, run);
  if (!found)
    throw new ProtocolError(
      'ERR_NOTHING_TO_REPLAY',
      run === undefined
        ? `the journal holds no run of computation ${computation}`
        : `the journal holds no run ${run} of computation ${computation}`,
      { details: { computation, ...(run === undefined ? {} : { run }) } },
    );
  return found;
}
