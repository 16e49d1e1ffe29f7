// Reads a protocol journal (subject + envelope bytes, in order) back into per-computation trace
// records and messages, verifying every envelope it can: the policy comes from the computation's
// `host.launch`, so participants verify by their policy certificates, the verifier by
// `proxy_service_cert`, and self-certifying senders (`k:`) by their own key. Trace records of
// senders the policy does not know (refused strangers) are kept but marked unverified.
import type { webcrypto } from 'node:crypto';
import {
  type HostLaunchBody,
  type TraceTransitionBody,
  HOSTS_LAUNCH_SUBJECT,
  parsePolicy,
} from '../../protocol/index.js';
import { decodePlain, openEnvelope, protocolKinds } from '../../transport/index.js';
import type { Inbound } from '../runtime/endpoint.js';
import { keyFromSenderId } from '../runtime/sender-ids.js';
import { policyParticipants, verifierKey, VERIFIER_SENDER_ID } from '../runtime/policy-keys.js';

export interface JournalRecord {
  readonly subject: string;
  readonly data: Uint8Array;
}

/** A journaled message; `kind` and `body` are only as trustworthy as `verified` says. */
interface JournalMessage extends Omit<Loose, 'kind' | 'body'> {
  readonly subject: string;
  readonly kind: string;
  readonly body: unknown;
  readonly verified: boolean;
}

/** An envelope decoded without verification (for listing only). */
interface Loose extends Omit<Inbound, 'bytes' | 'kind' | 'body'> {
  readonly kind: string;
  readonly body: unknown;
}

export interface ComputationJournal {
  readonly computation: string;
  readonly messages: readonly JournalMessage[];
  readonly traces: readonly TraceTransitionBody[];
  readonly unverified: number;
  /** Position (1-based) in the whole journal of this computation's last record; 0 for none. */
  readonly lastRecord: number;
}

type Lookup = (from: string) => Promise<webcrypto.CryptoKey | undefined>;

function decodeUnverified(data: Uint8Array): Loose | undefined {
  try {
    const e = decodePlain(data) as {
      kind: string;
      from: string;
      seq: number;
      ts: number;
      computation: string;
      body: Uint8Array;
    };
    return {
      kind: e.kind,
      from: e.from,
      seq: e.seq,
      ts: e.ts,
      computation: e.computation,
      body: decodePlain(e.body),
    };
  } catch {
    return undefined;
  }
}

async function lookupFor(records: readonly JournalRecord[], computation: string): Promise<Lookup> {
  for (const r of records) {
    if (r.subject !== HOSTS_LAUNCH_SUBJECT) continue;
    const launch = decodeUnverified(r.data);
    if (launch?.computation !== computation) continue;
    try {
      const opened = await openEnvelope(r.data, { keys: keyFromSenderId, kinds: protocolKinds() });
      const loaded = parsePolicy((opened.body as HostLaunchBody).policy, {
        now: new Date(opened.ts),
      });
      const participants = await policyParticipants(loaded.policy);
      const verifier = await verifierKey(loaded.policy);
      return async (from) =>
        from === VERIFIER_SENDER_ID
          ? verifier
          : (participants.get(from)?.key ?? (await keyFromSenderId(from)));
    } catch {
      break;
    }
  }
  return keyFromSenderId;
}

/** Computations that appear in the journal, in order of first appearance. */
export function computationsIn(records: readonly JournalRecord[]): string[] {
  const seen = new Set<string>();
  for (const r of records) {
    const m = /^vc\.c\.([A-Za-z0-9_-]+)\./.exec(r.subject);
    if (m) seen.add(m[1]!);
  }
  return [...seen];
}

export async function readComputation(
  records: readonly JournalRecord[],
  computation: string,
): Promise<ComputationJournal> {
  const keys = await lookupFor(records, computation);
  const messages: JournalMessage[] = [];
  const traces: TraceTransitionBody[] = [];
  let unverified = 0;
  let lastRecord = 0;
  for (const [position, r] of records.entries()) {
    const loose = decodeUnverified(r.data);
    if (!loose || loose.computation !== computation) continue;
    lastRecord = position + 1;
    let message: JournalMessage;
    try {
      const e = await openEnvelope(r.data, { keys: (from) => keys(from), kinds: protocolKinds() });
      message = {
        subject: r.subject,
        kind: e.kind,
        from: e.from,
        seq: e.seq,
        ts: e.ts,
        computation: e.computation,
        body: e.body,
        verified: true,
      };
    } catch {
      unverified++;
      message = { subject: r.subject, ...loose, verified: false };
    }
    messages.push(message);
    if (message.kind === 'trace.transition') traces.push(message.body as TraceTransitionBody);
  }
  return { computation, messages, traces, unverified, lastRecord };
}
