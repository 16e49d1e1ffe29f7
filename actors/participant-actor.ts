// A participant bound to the world: finds the enclave of its policy's computation, runs the phase 6
// checks (attestation/relying-party) before anything secret leaves, then performs its steps: uploads
// sealed to the attested HPKE key (chunked, with progress), compute requests, result reads sealed
// to a fresh ephemeral key, shutdown. Transitions are published on `trace.participant-<id>`.
import { randomBytes, type webcrypto } from 'node:crypto';
import { checkEnclaveCertificate } from '../attestation/relying-party.js';
import {
  participantMachine,
  type ParticipantEvent,
  type Step,
  type StepOutcome,
} from '../machines/index.js';
import { toVcError, type WireError } from '../protocol/errors.js';
import type { Identity } from '../protocol/identity/index.js';
import type { EnclaveReadyBody, ResultDataBody } from '../protocol/messages/bodies.js';
import { ProtocolError } from '../protocol/messages/errors.js';
import { computationIdFor, enclaveSubject, traceSubject } from '../protocol/messages/subjects.js';
import type { LoadedPolicy } from '../protocol/policy/types.js';
import { Endpoint, type Inbound } from './bus/endpoint.js';
import type { Transport } from './bus/endpoint.js';
import { certificateSenderId, keyFromSenderId, senderIdIsKey } from './bus/sender-ids.js';
import { ephemeralKeyPair, openSealed, sealUpload } from '../transport/sealing.js';
import { TracedActor, type Output } from './traced-actor.js';

export interface ParticipantOptions {
  readonly bus: Transport;
  readonly policy: LoadedPolicy;
  readonly identity: Identity;
  readonly steps: readonly Step[];
  /** Bytes of a program or data source label (e.g. a file name). */
  readonly readSource: (label: string) => Promise<Uint8Array>;
  /** Receives a result read into a destination label (e.g. a file name or `-`). */
  readonly writeResult: (label: string, bytes: Uint8Array) => Promise<void>;
  readonly computation?: string;
  readonly clock?: () => Date;
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: { path: string; sent: number; total: number }) => void;
  readonly trace?: boolean;
}

export interface ParticipantResult {
  readonly ok: boolean;
  /** `done`, `refused` (phase 6 failed: nothing was sent) or `failed`. */
  readonly state: string;
  readonly outcomes: readonly StepOutcome[];
  readonly failure?: WireError;
  readonly actor: TracedActor<typeof participantMachine>;
}

interface Enclave {
  id: string;
  ready: EnclaveReadyBody;
  hpkeKey?: Uint8Array;
  signingKey?: webcrypto.CryptoKey;
}

export async function runParticipant(options: ParticipantOptions): Promise<ParticipantResult> {
  const clock = options.clock ?? (() => new Date());
  const computation = options.computation ?? computationIdFor(options.policy.hash);
  const senderId = certificateSenderId(new Uint8Array(options.identity.certificate.rawData));
  const endpoint = new Endpoint(
    options.bus,
    { id: senderId, key: options.identity.privateKey },
    () => clock().getTime(),
  );
  const known = options.policy.policy.identities.find(
    (i) => certificateSenderId(pemDer(i.certificate)) === senderId,
  );
  // One trace per participant session: the same identity may take part in several rounds.
  const session = randomBytes(3).toString('hex');
  const name = known
    ? `participant-${known.id}-${session}`
    : `participant-x${senderId.slice(2, 10)}-${session}`;
  let enclave: Enclave | undefined;

  const keys = async (from: string) => {
    if (enclave?.signingKey) return from === enclave.id ? enclave.signingKey : undefined;
    return keyFromSenderId(from); // before phase 6: self-certified, trusted only after the checks
  };
  const request = (kind: string, body: unknown): Promise<Inbound> =>
    endpoint.request(enclaveSubject(computation), computation, kind, body, {
      keys,
      timeoutMs: options.timeoutMs ?? 60_000,
    });

  const actor: TracedActor<typeof participantMachine> = new TracedActor({
    actor: name,
    machineId: 'participant',
    machine: participantMachine,
    input: {
      computation,
      participant: known?.id ?? -1,
      policyHash: options.policy.hash,
      steps: options.steps,
    },
    onOutput: (o) => effect(o),
    onTrace: (record) => {
      if (options.trace === false) return;
      void endpoint
        .publish(traceSubject(computation, name), computation, 'trace.transition', record)
        .catch(() => undefined);
    },
    onEffectError: (error) => actor.send({ type: 'io.failed', failure: toVcError(error).toWire() }),
  });
  const send = (event: ParticipantEvent) => actor.send(event);

  async function effect(o: Output): Promise<void> {
    if (o.type === 'out.request' && o.kind === 'session.hello') return hello();
    if (o.type === 'do.verify-enclave') return verify();
    if (o.type === 'out.request') return step(o.ref as string, o.step as Step);
  }

  async function hello(): Promise<void> {
    const reply = await request('session.hello', {});
    if (reply.kind === 'protocol.error')
      return send({ type: 'protocol.error', ref: 'hello', failure: reply.body as WireError });
    const ready = reply.body as EnclaveReadyBody;
    enclave = { id: reply.from, ready };
    send({
      type: 'enclave.ready',
      session: ready.session,
      policyHash: ready.policyHash,
      platform: ready.platform,
    });
  }

  /** Phase 6: chain to proxy_service_cert, validity now, measurement, policy hash; and the key. */
  async function verify(): Promise<void> {
    try {
      const attested = await checkEnclaveCertificate({
        chain: enclave!.ready.chain,
        policy: options.policy,
        now: clock(),
      });
      if (!(await senderIdIsKey(enclave!.id, attested.signingKey))) {
        throw new ProtocolError(
          'ERR_ENCLAVE_KEY_MISMATCH',
          'the enclave signed with a key its certificate does not name',
        );
      }
      enclave!.signingKey = attested.signingKey;
      enclave!.hpkeKey = attested.hpkePublicKey;
      send({ type: 'io.enclave.verified' });
    } catch (error) {
      send({ type: 'io.enclave.rejected', failure: toVcError(error).toWire() });
    }
  }

  async function step(ref: string, s: Step): Promise<void> {
    const reply = await perform(s);
    if (reply.kind === 'protocol.error')
      return send({ type: 'protocol.error', ref, failure: reply.body as unknown as WireError });
    send({ type: reply.kind, ref, body: reply.body } as ParticipantEvent);
  }

  async function perform(s: Step): Promise<{ kind: string; body: Record<string, unknown> }> {
    switch (s.op) {
      case 'program':
      case 'data':
        return upload(s);
      case 'compute':
        return asReply(await request('compute.request', { program: s.program }));
      case 'pipeline':
        return asReply(await request('compute.request', { pipeline: s.pipeline }));
      case 'result':
        return readResult(s.path, s.destination);
      case 'shutdown':
        return asReply(await request('shutdown.request', {}));
    }
  }

  async function upload(
    s: Extract<Step, { op: 'program' | 'data' }>,
  ): Promise<{ kind: string; body: Record<string, unknown> }> {
    const bytes = await options.readSource(s.source);
    const uploadId = `u${randomBytes(8).toString('hex')}`;
    const kind = s.op === 'program' ? 'provision.program' : 'provision.data';
    let last: Inbound | undefined;
    const parts = sealUpload(
      enclave!.hpkeKey!,
      bytes,
      { computation, session: enclave!.ready.session, path: s.path },
      uploadId,
    );
    for await (const { sealed, chunk, end } of parts) {
      const body = {
        path: s.path,
        sealed,
        size: bytes.length,
        ...(chunk ? { chunk } : {}),
        ...(s.op === 'data' ? { mode: s.mode } : {}),
      };
      last = await request(kind, body);
      if (last.kind === 'protocol.error') return asReply(last);
      options.onProgress?.({ path: s.path, sent: end, total: bytes.length });
    }
    const ack = last!.body as Record<string, unknown>;
    return { kind: 'provision.ack', body: { path: ack['path'], received: ack['received'] } };
  }

  async function readResult(
    path: string,
    destination: string,
  ): Promise<{ kind: string; body: Record<string, unknown> }> {
    const { keyPair, publicRaw } = await ephemeralKeyPair();
    const reply = await request('result.read', { path, replyKey: publicRaw });
    if (reply.kind === 'protocol.error') return asReply(reply);
    const body = reply.body as ResultDataBody;
    const bytes = await openSealed(keyPair, body.sealed, {
      computation,
      session: enclave!.ready.session,
      path,
      purpose: 'result',
    });
    await options.writeResult(destination, bytes);
    return { kind: 'result.data', body: { path, size: bytes.length } };
  }

  actor.start();
  await actor.waitFor((snapshot) => snapshot.status === 'done');
  const snapshot = actor.snapshot();
  const state = snapshot.value as string;
  return {
    ok: state === 'done',
    state,
    outcomes: snapshot.context.outcomes,
    ...(snapshot.context.failure ? { failure: snapshot.context.failure } : {}),
    actor,
  };
}

function asReply(message: Inbound): { kind: string; body: Record<string, unknown> } {
  return { kind: message.kind, body: message.body as Record<string, unknown> };
}

function pemDer(pem: string): Uint8Array {
  const base64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(base64, 'base64'));
}
