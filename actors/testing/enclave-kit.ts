// Test-only: drives a launched enclave worker with hand-made signed requests, as a hostile but
// enrolled participant would, and takes the worker's observable state (machine state and context,
// trace records) so tests can prove a refused request changed nothing.
import type { EnclaveWorker } from '../enclave-worker/enclave-actor.js';
import { Endpoint, type Inbound } from '../runtime/endpoint.js';
import { certificateSenderId, keyFromSenderId } from '../runtime/sender-ids.js';
import type { System } from '../system/system.js';
import type { Launched } from '../participant/launcher.js';
import type { Step } from '../../machines/index.js';
import { type GeneratedIdentity, type LoadedPolicy, subjectsFor } from '../../protocol/index.js';
import {
  macEnvelope,
  signEnvelope,
  type JournalRecord,
  type MacKeyLookup,
} from '../../transport/index.js';
import { policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { runParty } from '../participant/run-computation.js';

/** The default namespace's subjects. */
const S = subjectsFor();

export const PROGRAM = '/program/p.wasm';

/**
 * The policy these tests share: `owner` writes programs and inputs and reads `/output<tag>/`,
 * `reader` reads `/output/`. A different `tag` gives a different policy, so another computation.
 */
export function ownerReaderPolicy(
  system: System,
  owner: GeneratedIdentity,
  reader: GeneratedIdentity,
  options: { tag?: string; ownerAloneShutsDown?: boolean } = {},
): LoadedPolicy {
  return policyFor(system, {
    participants: [
      {
        identity: owner,
        capabilities: ['/program/:w', '/input/:rw', `/output${options.tag ?? ''}/:r`],
      },
      { identity: reader, capabilities: ['/output/:r'] },
    ],
    programs: [{ path: PROGRAM, bytes: wasmOf('random-source'), capabilities: [] }],
    ...(options.ownerAloneShutsDown
      ? { extensions: { shutdown: { rule: 'consensus' as const, of: [0] } } }
      : {}),
  });
}

/**
 * Runs one honest session of `policy` as `owner` with `steps` (reading `/input/d` = "one"), waits
 * for its enclave to finish, and returns the launch and the owner's recorded requests to the
 * enclave (session.hello left out), ready to be replayed into a later session.
 */
export async function recordSession(
  system: System,
  policy: LoadedPolicy,
  owner: GeneratedIdentity,
  steps: readonly Step[],
): Promise<{ readonly first: Target; readonly recorded: JournalRecord[] }> {
  const first = await launchTarget(system, policy);
  const outcome = await runParty(
    { bus: system.bus, policy },
    { identity: owner, sources: { d: new TextEncoder().encode('one') }, steps: [...steps] },
  );
  if (outcome.state !== 'done')
    throw new Error(`session 1 ended ${outcome.state}: ${JSON.stringify(outcome.failure)}`);
  await first.worker.finished;
  const from = certificateSenderId(new Uint8Array(owner.certificate.rawData));
  const recorded = (await system.journal(first.computation)).filter(
    (r) =>
      r.subject === S.enclave(first.computation) &&
      r.header?.from === from &&
      r.header.kind !== 'session.hello',
  );
  return { first, recorded };
}

export interface Target {
  readonly launched: Launched;
  readonly worker: EnclaveWorker;
  readonly computation: string;
  readonly session: string;
}

/** Launches `policy` on the system and returns the worker that serves it. */
export async function launchTarget(system: System, policy: LoadedPolicy): Promise<Target> {
  const launched = await system.launch(policy);
  const worker = system.workers.get(launched.worker)!;
  return { launched, worker, computation: launched.computation, session: launched.ready.session };
}

/** What a refused request must leave as it was: the machine's state and context, and its trace. */
export function observe(worker: EnclaveWorker): string {
  const snapshot = worker.actor.snapshot();
  const c = snapshot.context;
  return JSON.stringify({
    status: snapshot.status,
    value: snapshot.value,
    files: c.files,
    executions: c.executions,
    shutdownVotes: c.shutdownVotes,
    pending: c.pending,
    failure: c.failure ?? null,
    session: c.session,
  });
}

/** A participant's signer, speaking raw requests to any enclave subject. */
export class RawSender {
  readonly endpoint: Endpoint;
  readonly identity: GeneratedIdentity;
  #seq = Date.now() * 1000;

  constructor(system: System, identity: GeneratedIdentity) {
    this.identity = identity;
    this.endpoint = new Endpoint(system.bus, {
      id: certificateSenderId(new Uint8Array(identity.certificate.rawData)),
      key: identity.privateKey,
    });
  }

  /**
   * Signs `body` under `kind` for computation `signedFor`, WITHOUT checking it against the kind's
   * schema (as a hostile sender may), and sends it on the enclave subject of `to` (default the same).
   */
  async send(signedFor: string, kind: string, body: unknown, to = signedFor): Promise<Inbound> {
    return this.raw(to, await this.sign(signedFor, kind, body));
  }

  /** The envelope `send` would send. */
  sign(signedFor: string, kind: string, body: unknown): Promise<Uint8Array> {
    const header = {
      kind,
      computation: signedFor,
      from: this.endpoint.id,
      seq: ++this.#seq,
      ts: Date.now(),
    };
    return signEnvelope(header, body, this.identity.privateKey);
  }

  /** A request MAC'd on a session channel under `key` (any key: a forger's too), unchecked. */
  mac(
    signedFor: string,
    kind: string,
    body: unknown,
    channel: { id: Uint8Array; key: Uint8Array },
  ): { seq: number; bytes: Uint8Array } {
    const header = {
      kind,
      computation: signedFor,
      from: this.endpoint.id,
      seq: ++this.#seq,
      ts: Date.now(),
    };
    return { seq: header.seq, bytes: macEnvelope(header, body, channel.id, channel.key) };
  }

  /**
   * Sends envelope bytes as they are (a recording, a replay) and opens the reply (one MAC'd on a
   * session channel with `macKeys`).
   */
  async raw(to: string, bytes: Uint8Array, macKeys?: MacKeyLookup): Promise<Inbound> {
    const reply = await this.endpoint.transport.request(S.enclave(to), bytes, {
      timeoutMs: 10_000,
      retry: { attempts: 1 },
    });
    return this.endpoint.open(reply, keyFromSenderId, macKeys);
  }
}

/** The refusal code of a reply, or undefined when the request was answered. */
export function refusalOf(reply: Inbound): string | undefined {
  return reply.kind === 'protocol.error' ? reply.body.code : undefined;
}
