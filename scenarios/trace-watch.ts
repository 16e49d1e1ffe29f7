// Watches a computation live: subscribes to its trace subjects (`vc.c.<id>.trace.<actor>`), opens
// each record verify-then-use (participants by their policy certificates, the verifier by
// proxy_service_cert, enclave and host by their self-certifying key ids) and hands it on with the
// envelope's timestamp. Unverifiable records are counted, never shown.
import type { webcrypto } from 'node:crypto';
import {
  Endpoint,
  keyFromSenderId,
  policyParticipants,
  verifierKey,
  VERIFIER_SENDER_ID,
} from '../actors/index.js';
import {
  type TraceTransitionBody,
  computationWildcard,
  type LoadedPolicy,
} from '../protocol/index.js';
import type { Transport } from '../transport/index.js';

export interface TracePoint {
  readonly record: TraceTransitionBody;
  /** The sender's timestamp (ms since the epoch). */
  readonly ts: number;
}

export interface TraceWatch {
  readonly points: readonly TracePoint[];
  /** Messages seen on the computation's subjects (protocol and trace). */
  readonly messages: number;
  readonly unverified: number;
  /** Resolves once every record received so far has been opened. */
  settle(): Promise<void>;
  stop(): void;
}

export async function watchTraces(
  bus: Transport,
  policy: LoadedPolicy,
  computation: string,
  onPoint: (point: TracePoint) => void,
): Promise<TraceWatch> {
  const participants = await policyParticipants(policy.policy);
  const verifier = await verifierKey(policy.policy);
  const keys = async (from: string): Promise<webcrypto.CryptoKey | undefined> =>
    participants.get(from)?.key ?? (from === VERIFIER_SENDER_ID ? verifier : keyFromSenderId(from));
  // An endpoint only to open envelopes; it never signs anything.
  const opener = new Endpoint(bus, { id: 'watcher', key: verifier });
  const points: TracePoint[] = [];
  const pending = new Set<Promise<void>>();
  const state = { messages: 0, unverified: 0 };
  const traceRoot = `vc.c.${computation}.trace.`;
  const subscription = bus.subscribe(computationWildcard(computation), (message) => {
    state.messages++;
    if (!message.subject.startsWith(traceRoot)) return;
    const opening = opener
      .open(message.data, keys)
      .then((inbound) => {
        if (inbound.kind !== 'trace.transition') return;
        const point = { record: inbound.body, ts: inbound.ts };
        points.push(point);
        onPoint(point);
      })
      .catch(() => void state.unverified++);
    pending.add(opening);
    void opening.finally(() => pending.delete(opening));
  });
  return {
    points,
    get messages() {
      return state.messages;
    },
    get unverified() {
      return state.unverified;
    },
    settle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    stop: () => subscription.unsubscribe(),
  };
}
