// The enclave worker (runtime manager) bound to the world: the pure enclave machine decides; this
// shell generates keys inside the enclave, talks to the verifier, opens sealed uploads, keeps the
// virtual file system, runs programs in a worker thread, seals results to readers, and publishes
// every transition on `vc.c.<computation>.trace.enclave`.
import { createHash, randomBytes, type webcrypto } from 'node:crypto';
import type { Attester } from '../enclave/evidence/attester.js';
import { generateEnclaveKeys, type EnclaveKeys } from '../enclave/evidence/enclave-keys.js';
import { prepareAttestation, type PreparedAttestation } from '../enclave/evidence/prepare.js';
import { Vfs } from '../enclave/vfs/vfs.js';
import { enclaveMachine, type EnclaveEvent, type EnclaveRequestEvent } from '../machines/index.js';
import { toVcError, type WireError } from '../protocol/errors.js';
import type { EnclaveReadyBody, ResultReadBody } from '../protocol/messages/bodies.js';
import { ProtocolError } from '../protocol/messages/errors.js';
import {
  VERIFIER_SUBJECT,
  computationIdFor,
  enclaveSubject,
  eventsSubject,
  traceSubject,
} from '../protocol/messages/subjects.js';
import { parsePolicy } from '../protocol/policy/parse-policy.js';
import type { LoadedPolicy } from '../protocol/policy/types.js';
import { Endpoint, expectReply, type Inbound, type Outbound } from './bus/endpoint.js';
import type { Transport, Unsubscribe } from './bus/endpoint.js';
import { keySenderId } from './bus/sender-ids.js';
import { execute } from './enclave-execution.js';
import { Uploads } from './enclave-uploads.js';
import {
  policyParticipants,
  verifierKey,
  VERIFIER_SENDER_ID,
  type PolicyParticipant,
} from './policy-keys.js';
import { policyViewOf } from './policy-view.js';
import { sealTo } from '../transport/sealing.js';
import { TracedActor, type Output } from './traced-actor.js';
import { Mailbox } from './mailbox.js';

export interface EnclaveWorkerOptions {
  readonly bus: Transport;
  readonly policyBytes: Uint8Array;
  /** Defaults to the id derived from the policy hash. */
  readonly computation?: string;
  readonly attester: Attester;
  /** Runtime measurement the evidence carries (measureRuntime().measurement). */
  readonly measurement: string;
  readonly clock?: () => Date;
  readonly random?: (length: number) => Uint8Array;
  readonly requestTimeoutMs?: number;
  /** Publish transitions on the trace subject (default true). */
  readonly trace?: boolean;
}

export interface EnclaveOutcome {
  readonly state: string;
  readonly failure?: WireError;
}

export interface EnclaveWorker {
  readonly computation: string;
  readonly actor: TracedActor<typeof enclaveMachine>;
  /** Resolves with the announcement once attested; rejects with the typed failure otherwise. */
  readonly ready: Promise<EnclaveReadyBody>;
  readonly finished: Promise<EnclaveOutcome>;
  stop(): void;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function startEnclaveWorker(options: EnclaveWorkerOptions): EnclaveWorker {
  const clock = options.clock ?? (() => new Date());
  const loaded = parsePolicy(options.policyBytes, { now: clock() });
  return new EnclaveShell(options, loaded, clock).start();
}

class EnclaveShell {
  readonly #options: EnclaveWorkerOptions;
  readonly #loaded: LoadedPolicy;
  readonly #clock: () => Date;
  readonly #random: (length: number) => Uint8Array;
  readonly computation: string;
  readonly actor: TracedActor<typeof enclaveMachine>;
  readonly #vfs: Vfs;
  readonly #mailbox = new Mailbox<Outbound>();
  readonly #staged = new Map<string, Uint8Array>();
  readonly #readers = new Map<string, Uint8Array>();
  readonly #subscriptions: Unsubscribe[] = [];
  readonly #traceBuffer: unknown[] = [];
  #participants = new Map<string, PolicyParticipant>();
  #verifierKey: webcrypto.CryptoKey | undefined;
  #endpoint: Endpoint | undefined;
  #keys: EnclaveKeys | undefined;
  #nonce: Uint8Array = new Uint8Array();
  #prepared: PreparedAttestation | undefined;
  #uploads: Uploads | undefined;
  #session = '';
  readonly ready: Promise<EnclaveReadyBody>;
  readonly finished: Promise<EnclaveOutcome>;
  #resolveReady!: (body: EnclaveReadyBody) => void;
  #rejectReady!: (error: unknown) => void;
  #resolveFinished!: (outcome: EnclaveOutcome) => void;

  constructor(options: EnclaveWorkerOptions, loaded: LoadedPolicy, clock: () => Date) {
    this.#options = options;
    this.#loaded = loaded;
    this.#clock = clock;
    this.#random = options.random ?? ((n) => new Uint8Array(randomBytes(n)));
    this.computation = options.computation ?? computationIdFor(loaded.hash);
    const quota = loaded.policy.extensions.storageQuotaBytes;
    this.#vfs = new Vfs(quota === undefined ? {} : { quotaBytes: quota });
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    this.finished = new Promise((resolve) => (this.#resolveFinished = resolve));
    this.actor = new TracedActor({
      actor: 'enclave',
      machineId: 'enclave',
      machine: enclaveMachine,
      input: {
        computation: this.computation,
        policyHash: loaded.hash,
        platform: options.attester.platform,
        view: policyViewOf(loaded.policy),
      },
      onOutput: (o) => this.#effect(o),
      onTrace: (record) => this.#publishTrace(record),
      onEffectError: (error) =>
        this.actor.send({ type: 'io.failed', failure: toVcError(error).toWire() }),
    });
  }

  start(): EnclaveWorker {
    void this.#init().then(
      () => this.actor.start(),
      (error: unknown) => this.#finish({ state: 'failed', failure: toVcError(error).toWire() }),
    );
    return this;
  }

  stop(): void {
    for (const unsubscribe of this.#subscriptions.splice(0)) unsubscribe();
    this.#finish({ state: 'stopped' });
  }

  async #init(): Promise<void> {
    this.#participants = await policyParticipants(this.#loaded.policy);
    this.#verifierKey = await verifierKey(this.#loaded.policy);
  }

  #send(event: EnclaveEvent): void {
    this.actor.send(event);
  }

  async #effect(o: Output): Promise<void> {
    switch (o.type) {
      case 'do.keys':
        return this.#generateKeys();
      case 'do.evidence':
        return this.#produceEvidence();
      case 'out.request':
        return o.kind === 'attest.start'
          ? this.#askChallenge(o.body as Record<string, unknown>)
          : this.#submitEvidence();
      case 'out.publish':
        return this.#announce(o.kind as string, o.body as Record<string, unknown>);
      case 'out.reply':
        return this.#reply(o.ref as string, o.kind as string, o.body as Record<string, unknown>);
      case 'do.write':
        return this.#write(o.ref as string, o.path as string, o.mode as string);
      case 'do.execute':
        return this.#execute(o.ref as string, o.target as string, o.pipeline as string | undefined);
      case 'do.read':
        return this.#read(o.ref as string, o.path as string);
      case 'do.stop':
        return this.#stopped();
    }
  }

  async #generateKeys(): Promise<void> {
    this.#keys = await generateEnclaveKeys();
    const id = await keySenderId(this.#keys.signing.publicKey);
    this.#endpoint = new Endpoint(
      this.#options.bus,
      { id, key: this.#keys.signing.privateKey },
      () => this.#clock().getTime(),
    );
    for (const record of this.#traceBuffer.splice(0)) this.#publishTrace(record);
    this.#session = hex(this.#random(16));
    this.#uploads = new Uploads(this.#keys.hpke, this.computation, this.#session);
    this.#send({ type: 'io.keys.ready', session: this.#session });
  }

  async #verifierRequest(
    kind: string,
    body: unknown,
    expected: string,
  ): Promise<Record<string, unknown> | undefined> {
    const key = this.#verifierKey;
    const reply = await this.#endpoint!.request(VERIFIER_SUBJECT, this.computation, kind, body, {
      keys: (from) => (from === VERIFIER_SENDER_ID ? key : undefined),
      timeoutMs: this.#options.requestTimeoutMs ?? 30_000,
    });
    if (reply.kind === 'protocol.error') {
      this.#send({ type: 'protocol.error', failure: reply.body as WireError });
      return undefined;
    }
    return expectReply<Record<string, unknown>>(reply, expected);
  }

  async #askChallenge(body: Record<string, unknown>): Promise<void> {
    // The machine's body plus the policy bytes (public, but bulky: kept out of the trace).
    const request = { ...body, policy: this.#loaded.bytes };
    const challenge = await this.#verifierRequest('attest.start', request, 'attest.challenge');
    if (!challenge) return;
    this.#nonce = challenge['nonce'] as Uint8Array;
    this.#send({ type: 'attest.challenge', attestation: challenge['attestation'] as string });
  }

  async #produceEvidence(): Promise<void> {
    this.#prepared = await prepareAttestation({
      attester: this.#options.attester,
      nonce: this.#nonce,
      policyHash: Buffer.from(this.#loaded.hash, 'hex'),
      measurement: this.#options.measurement,
      keys: this.#keys!,
    });
    this.#send({ type: 'io.evidence.ready' });
  }

  async #submitEvidence(): Promise<void> {
    const snapshot = this.actor.snapshot();
    const certificate = await this.#verifierRequest(
      'attest.evidence',
      {
        attestation: snapshot.context.attestation,
        platform: this.#options.attester.platform,
        evidence: this.#prepared!.evidence,
        csr: this.#prepared!.csr,
      },
      'attest.certificate',
    );
    if (!certificate) return;
    this.#send({ type: 'attest.certificate', chain: certificate['chain'] as string[] });
  }

  async #announce(kind: string, body: Record<string, unknown>): Promise<void> {
    if (kind === 'enclave.ready') {
      this.#subscriptions.push(
        this.#endpoint!.serve(
          enclaveSubject(this.computation),
          {
            keys: (from) => this.#participants.get(from)?.key,
            refuse: (e) =>
              e.code === 'ERR_UNKNOWN_SENDER'
                ? new ProtocolError(
                    'ERR_UNKNOWN_PARTICIPANT',
                    'the sender is not an identity of the policy',
                  )
                : e,
          },
          (m) => this.#handle(m),
        ),
      );
    }
    await this.#endpoint!.publish(eventsSubject(this.computation), this.computation, kind, body);
    if (kind === 'enclave.ready') this.#resolveReady(body as unknown as EnclaveReadyBody);
  }

  /** Phases 7 to 11: a verified request becomes a machine event; the machine's reply answers it. */
  async #handle(m: Inbound): Promise<Outbound> {
    if (this.actor.done) throw new ProtocolError('ERR_SHUT_DOWN', 'the computation has ended');
    const participant = this.#participants.get(m.from)!;
    const ref = `${m.from}#${m.seq}`;
    const from = participant.id;
    const body = m.body as Record<string, unknown>;
    let event: EnclaveRequestEvent;
    switch (m.kind) {
      case 'session.hello':
      case 'shutdown.request':
        event = { type: m.kind, ref, from };
        break;
      case 'provision.program':
      case 'provision.data': {
        const progress = await this.#uploads!.accept(m.from, body as never);
        const path = body['path'] as string;
        if (!progress.complete)
          return {
            kind: 'provision.ack',
            body: { path, received: progress.received, complete: false },
          };
        this.#staged.set(ref, progress.bytes);
        const expected = this.#loaded.policy.fileHashes.some((h) => h.filePath === path);
        const hash = expected
          ? createHash('sha256').update(progress.bytes).digest('hex')
          : undefined;
        const common = { ref, from, path, size: progress.received, ...(hash ? { hash } : {}) };
        event =
          m.kind === 'provision.program'
            ? { type: m.kind, ...common }
            : { type: m.kind, ...common, mode: body['mode'] as 'write' };
        break;
      }
      case 'compute.request':
        event = {
          type: m.kind,
          ref,
          from,
          ...(body['pipeline'] !== undefined
            ? { pipeline: body['pipeline'] as string }
            : { program: body['program'] as string }),
        };
        break;
      case 'result.read':
        this.#readers.set(ref, (body as unknown as ResultReadBody).replyKey);
        event = { type: m.kind, ref, from, path: body['path'] as string };
        break;
      default:
        throw new ProtocolError('ERR_BAD_MESSAGE', `${m.kind} is not a request to the enclave`);
    }
    return this.#mailbox.run(
      ref,
      () => this.#send(event),
      () => this.actor.done,
    );
  }

  async #reply(ref: string, kind: string, body: Record<string, unknown>): Promise<void> {
    let full: Record<string, unknown> = body;
    if (kind === 'provision.ack')
      full = { path: body['path'], received: this.#staged.get(ref)?.length ?? 0, complete: true };
    if (kind === 'result.data')
      full = { ...body, sealed: this.#readers.get(ref) ?? new Uint8Array() };
    this.#staged.delete(ref);
    this.#readers.delete(ref);
    this.#mailbox.settle(ref, { kind, body: full });
  }

  async #write(ref: string, path: string, mode: string): Promise<void> {
    try {
      // The machine has checked the sender's write right on this path (phase 7/8).
      this.#vfs.writeUnchecked(path, this.#staged.get(ref) ?? new Uint8Array(), {
        append: mode === 'append',
      });
      this.#send({ type: 'io.written', ref });
    } catch (error) {
      this.#send({ type: 'io.write.failed', ref, failure: toVcError(error).toWire() });
    }
  }

  async #execute(ref: string, target: string, pipeline: string | undefined): Promise<void> {
    const participant = [...this.#participants.values()].find((p) =>
      ref.startsWith(`${p.senderId}#`),
    );
    const callerRights =
      this.#loaded.policy.identities.find((i) => i.id === participant?.id)?.fileRights ?? [];
    try {
      const exitCode = await execute(this.#loaded.policy, this.#vfs, {
        target,
        callerRights,
        ...(pipeline === undefined ? {} : { pipeline }),
      });
      this.#send({ type: 'io.executed', ref, exitCode, files: this.#vfs.filesUnder('/') });
    } catch (error) {
      this.#send({ type: 'io.execute.failed', ref, failure: toVcError(error).toWire() });
    }
  }

  async #read(ref: string, path: string): Promise<void> {
    try {
      const bytes = this.#vfs.readUnchecked(path);
      const replyKey = this.#readers.get(ref) ?? new Uint8Array();
      const sealed = await sealTo(replyKey, bytes, {
        computation: this.computation,
        session: this.#session,
        path,
        purpose: 'result',
      });
      this.#readers.set(ref, sealed);
      this.#send({ type: 'io.read', ref, size: bytes.length });
    } catch (error) {
      this.#send({ type: 'io.read.failed', ref, failure: toVcError(error).toWire() });
    }
  }

  #stopped(): void {
    const snapshot = this.actor.snapshot();
    const failure = snapshot.context.failure;
    this.#rejectReady(
      failure ? ProtocolError.fromWire(failure) : new ProtocolError('ERR_SHUT_DOWN', 'shut down'),
    );
    if (failure && this.#endpoint) {
      // Whoever waits for this enclave (the launcher) learns at once why it will never be ready.
      const body = { session: this.#session || 'none', reason: failure.code };
      void this.#endpoint
        .publish(eventsSubject(this.computation), this.computation, 'enclave.shutdown', body)
        .catch(() => undefined);
    }
    // Let the final replies and announcements leave before unsubscribing.
    setTimeout(() => {
      this.#mailbox.abandon();
      this.stop();
    }, 50).unref();
    this.#finish({ state: JSON.stringify(snapshot.value), ...(failure ? { failure } : {}) });
  }

  #finish(outcome: EnclaveOutcome): void {
    if (outcome.failure) this.#rejectReady(ProtocolError.fromWire(outcome.failure));
    this.#resolveFinished(outcome);
  }

  #publishTrace(record: unknown): void {
    if (this.#options.trace === false) return;
    if (!this.#endpoint) {
      this.#traceBuffer.push(record);
      return;
    }
    void this.#endpoint
      .publish(
        traceSubject(this.computation, 'enclave'),
        this.computation,
        'trace.transition',
        record,
      )
      .catch(() => undefined);
  }
}
