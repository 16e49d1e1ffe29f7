// The enclave worker (runtime manager) bound to the world: the pure enclave machine decides; this
// shell generates keys inside the enclave, talks to the verifier, opens sealed uploads, keeps the
// virtual file system, runs programs in a worker thread, seals results to readers, and publishes
// every transition on `<ns>.c.<computation>.trace.enclave`. Bytes the machine must not see wait in
// one HeldBytes store under the handles its events carry.
import { randomBytes, type webcrypto } from 'node:crypto';
import {
  type Attester,
  checkNativeModules,
  generateEnclaveKeys,
  type EnclaveKeys,
  prepareAttestation,
  Vfs,
} from '../../enclave/index.js';
import {
  checkUpload,
  enclaveMachine,
  type EnclaveEvent,
  type EnclaveOutput,
  type EnclaveRequestEvent,
  type PolicyView,
} from '../../machines/index.js';
import {
  toVcError,
  type WireError,
  type BodyOf,
  type EnclaveReadyBody,
  type TraceTransitionBody,
  ProtocolError,
  computationIdFor,
  parsePolicy,
  sha256Hex,
  type LoadedPolicy,
  type ResultDataBody,
} from '../../protocol/index.js';
import {
  Endpoint,
  expectReply,
  type Inbound,
  type Outbound,
  type Transport,
  type Unsubscribe,
} from '../runtime/endpoint.js';
import type { OperatorLog } from '../runtime/log.js';
import { keySenderId } from '../runtime/sender-ids.js';
import { answerLiveness } from '../runtime/liveness.js';
import { execute } from './enclave-execution.js';
import { Uploads } from './enclave-uploads.js';
import { ResultStreams } from './enclave-results.js';
import { HeldBytes } from '../runtime/held-bytes.js';
import { BulkInbox, publishBulk, resultBulkStream } from '../runtime/bulk.js';
import {
  policyParticipants,
  verifierKey,
  VERIFIER_SENDER_ID,
  type PolicyParticipant,
} from '../runtime/policy-keys.js';
import { policyViewOf } from '../runtime/policy-view.js';
import { TracedActor, unhandledOutput } from '../runtime/traced-actor.js';
import { Mailbox } from '../runtime/mailbox.js';
import { EnclaveChannels } from '../runtime/session-channel.js';

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
  /** Operator log: a line per request served and per state change (never data). */
  readonly log?: OperatorLog;
  /**
   * Keys this process made ahead of its launch (a spare worker process, enclave-main.ts), used by
   * this computation only; default: made when the machine asks for them.
   */
  readonly keys?: Promise<EnclaveKeys>;
}

interface EnclaveOutcome {
  readonly state: string;
  readonly failure?: WireError;
}

export interface EnclaveWorker {
  readonly computation: string;
  readonly actor: TracedActor<typeof enclaveMachine>;
  /** Resolves with the announcement once attested; rejects with the typed failure otherwise. */
  readonly ready: Promise<EnclaveReadyBody>;
  /** Resolves once the machine has ended and its last replies have been handed to the bus. */
  readonly finished: Promise<EnclaveOutcome>;
  stop(): void;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** How long the verifier has to answer a liveness ping (per attempt). */
const VERIFIER_PING_MS = 2_000;

type Out<T extends EnclaveOutput['type']> = Extract<EnclaveOutput, { type: T }>;
type UploadRequest = Inbound<'provision.program' | 'provision.data'>;

export function startEnclaveWorker(options: EnclaveWorkerOptions): EnclaveWorker {
  const clock = options.clock ?? (() => new Date());
  const loaded = parsePolicy(options.policyBytes, { now: clock() });
  checkNativeModules(loaded.policy);
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
  readonly #view: PolicyView;
  readonly #mailbox = new Mailbox<Outbound>();
  readonly #held = new HeldBytes();
  readonly #subscriptions: Unsubscribe[] = [];
  readonly #traceBuffer: TraceTransitionBody[][] = [];
  #participants = new Map<string, PolicyParticipant>();
  #verifierKey: webcrypto.CryptoKey | undefined;
  #endpoint: Endpoint | undefined;
  #keys: EnclaveKeys | undefined;
  #uploads: Uploads | undefined;
  #channels: EnclaveChannels | undefined;
  readonly #results: ResultStreams;
  /** The sender of each whole-file read the machine is deciding, by ref. */
  readonly #readers = new Map<string, { readonly from: string; readonly replyKey: Uint8Array }>();
  /** Bulk chunk bytes of uploads, taken when a signed `provision.*` names them. */
  #bulk: BulkInbox | undefined;
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
    this.#view = policyViewOf(loaded.policy);
    this.#results = new ResultStreams(this.computation, () => this.#session);
    this.actor = new TracedActor({
      actor: 'enclave',
      machineId: 'enclave',
      machine: enclaveMachine,
      input: {
        computation: this.computation,
        policyHash: loaded.hash,
        platform: options.attester.platform,
        view: this.#view,
      },
      ...(options.log ? { log: options.log } : {}),
      onOutput: (o) => this.#effect(o),
      onTrace: (records) => this.#publishTrace(records),
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
    this.#close();
    this.#finish({ state: 'stopped' });
  }

  #close(): void {
    for (const unsubscribe of this.#subscriptions.splice(0)) unsubscribe();
    this.#held.clear();
  }

  async #init(): Promise<void> {
    this.#participants = await policyParticipants(this.#loaded.policy);
    this.#verifierKey = await verifierKey(this.#loaded.policy);
  }

  #send(event: EnclaveEvent): void {
    this.actor.send(event);
  }

  async #effect(o: EnclaveOutput): Promise<void> {
    switch (o.type) {
      case 'do.keys':
        return this.#generateKeys();
      case 'do.evidence':
        return this.#produceEvidence(o.nonce);
      case 'out.request':
        return this.#request(o);
      case 'out.publish':
        return this.#announce(o);
      case 'out.reply':
        return this.#mailbox.settle(o.ref, this.#outbound(o));
      case 'do.write':
        return this.#write(o);
      case 'do.execute':
        return this.#execute(o);
      case 'do.read':
        return this.#read(o);
      case 'do.stop':
        return this.#stopped();
      default:
        return unhandledOutput(o);
    }
  }

  async #generateKeys(): Promise<void> {
    this.#keys = await (this.#options.keys ?? generateEnclaveKeys());
    const id = await keySenderId(this.#keys.signing.publicKey);
    this.#endpoint = new Endpoint(
      this.#options.bus,
      { id, key: this.#keys.signing.privateKey },
      () => this.#clock().getTime(),
      this.#options.log,
    );
    for (const records of this.#traceBuffer.splice(0)) this.#publishTrace(records);
    this.#session = hex(this.#random(16));
    this.#uploads = new Uploads(this.#keys.hpke, this.computation, this.#session);
    this.#channels = new EnclaveChannels(this.#keys.hpke, this.computation);
    this.#send({ type: 'io.keys.ready', session: this.#session });
  }

  /** Phases 2 and 4: a verifier refusal becomes the machine's `protocol.error` event. */
  async #request(o: Out<'out.request'>): Promise<void> {
    switch (o.kind) {
      case 'attest.start': {
        const reply = await this.#askVerifier('attest.start', {
          ...o.body,
          policy: this.#loaded.bytes,
        });
        if (reply.kind === 'protocol.error')
          return this.#send({ type: 'protocol.error', failure: reply.body });
        const { attestation, nonce } = expectReply(reply, 'attest.challenge');
        return this.#send({ type: 'attest.challenge', attestation, nonce });
      }
      case 'attest.evidence': {
        const reply = await this.#askVerifier('attest.evidence', o.body);
        if (reply.kind === 'protocol.error')
          return this.#send({ type: 'protocol.error', failure: reply.body });
        const { chain } = expectReply(reply, 'attest.certificate');
        return this.#send({ type: 'attest.certificate', chain });
      }
      default:
        return unhandledOutput(o);
    }
  }

  /**
   * The verifier's request subject is journaled, so with no verifier a request would only time out
   * (minutes, with retries). Its liveness subject is not: a ping gets "no responders" at once. So
   * the enclave pings before each request and every few seconds while one is pending, and fails
   * with ERR_VERIFIER_UNAVAILABLE as soon as a ping goes unanswered.
   */
  async #askVerifier<K extends 'attest.start' | 'attest.evidence'>(
    kind: K,
    body: BodyOf<K>,
  ): Promise<Inbound> {
    const key = this.#verifierKey;
    await this.#pingVerifier();
    const request = this.#endpoint!.request(
      this.#options.bus.subjects.verifier,
      this.computation,
      kind,
      body,
      {
        keys: (from) => (from === VERIFIER_SENDER_ID ? key : undefined),
        timeoutMs: this.#options.requestTimeoutMs ?? 30_000,
      },
    );
    let watchdog: NodeJS.Timeout | undefined;
    const gone = new Promise<never>((_, reject) => {
      watchdog = setInterval(() => void this.#pingVerifier().catch(reject), VERIFIER_PING_MS);
    });
    request.catch(() => undefined);
    gone.catch(() => undefined);
    try {
      return await Promise.race([request, gone]);
    } finally {
      clearInterval(watchdog);
    }
  }

  async #pingVerifier(): Promise<void> {
    try {
      await this.#options.bus.request(this.#options.bus.subjects.verifierLive, new Uint8Array(), {
        timeoutMs: VERIFIER_PING_MS,
        retry: { attempts: 2 },
      });
    } catch (error) {
      throw new ProtocolError('ERR_VERIFIER_UNAVAILABLE', 'no verifier answers on this bus', {
        cause: error,
        details: { subject: this.#options.bus.subjects.verifierLive, code: toVcError(error).code },
      });
    }
  }

  async #produceEvidence(nonce: Uint8Array): Promise<void> {
    const prepared = await prepareAttestation({
      attester: this.#options.attester,
      nonce,
      policyHash: Buffer.from(this.#loaded.hash, 'hex'),
      measurement: this.#options.measurement,
      keys: this.#keys!,
    });
    this.#send({ type: 'io.evidence.ready', evidence: prepared.evidence, csr: prepared.csr });
  }

  async #announce(o: Out<'out.publish'>): Promise<void> {
    const subject = this.#options.bus.subjects.events(this.computation);
    switch (o.kind) {
      case 'enclave.ready':
        // Before the requests: a sender publishes a chunk's bulk bytes before the request naming them.
        this.#bulk = new BulkInbox(this.#options.bus, this.computation, 'upload', '*');
        this.#subscriptions.push(
          () => this.#bulk?.close(),
          this.#endpoint!.serve(
            this.#options.bus.subjects.enclave(this.computation),
            {
              keys: (from) => this.#participants.get(from)?.key,
              refuse: (e) =>
                e.code === 'ERR_UNKNOWN_SENDER'
                  ? new ProtocolError(
                      'ERR_UNKNOWN_PARTICIPANT',
                      'the sender is not an identity of the policy',
                    )
                  : e,
              channels: this.#channels!,
            },
            (m) => this.#handle(m),
          ),
          // Participants ping before their hello and while they wait: answered from now until the
          // enclave closes, so "no responders" means no enclave (or no longer one).
          answerLiveness(this.#options.bus, this.computation, () => ({
            computation: this.computation,
            policyHash: this.#loaded.hash,
            session: this.#session,
            phase: JSON.stringify(this.actor.snapshot().value),
          })),
        );
        await this.#endpoint!.publish(subject, this.computation, o.kind, o.body);
        return this.#resolveReady(o.body);
      case 'enclave.shutdown':
        return this.#endpoint!.publish(subject, this.computation, o.kind, o.body);
      default:
        return unhandledOutput(o);
    }
  }

  /** Phases 7 to 11: a verified request becomes a machine event; the machine's reply answers it. */
  async #handle(m: Inbound): Promise<Outbound> {
    if (this.actor.done) throw new ProtocolError('ERR_SHUT_DOWN', 'the computation has ended');
    this.#checkBinding(m);
    // The serve key lookup admitted only the policy's participants.
    const from = this.#participants.get(m.from)!.id;
    const ref = `${m.from}#${m.seq}`;
    switch (m.kind) {
      case 'session.hello':
      case 'shutdown.request':
        return this.#ask({ type: m.kind, ref, from });
      case 'session.open':
        // Served by the shell: the channel changes how messages are authenticated, not what the
        // machine allows (every request on it still goes through the machine's rules).
        return this.#openChannel(m);
      case 'session.close':
        if (m.channel === undefined)
          throw new ProtocolError('ERR_BAD_MESSAGE', 'session.close comes on the channel it ends');
        return {
          kind: 'session.receipt',
          body: this.#channels!.close(m.channel),
          channel: null,
        };
      case 'provision.program':
      case 'provision.data':
        return this.#provision(m, ref, from);
      case 'compute.request':
        return this.#ask({
          type: m.kind,
          ref,
          from,
          ...(m.body.pipeline !== undefined
            ? { pipeline: m.body.pipeline }
            : { program: m.body.program ?? '' }),
        });
      case 'result.read':
        // A later chunk of a stream the machine already allowed is served by the shell.
        if (m.body.chunk)
          return {
            kind: 'result.data',
            body: this.#bulkResult(
              this.#results.next(m.from, { ...m.body, chunk: m.body.chunk }),
              m.body.replyKey,
            ),
          };
        this.#readers.set(ref, { from: m.from, replyKey: m.body.replyKey });
        try {
          return await this.#ask({
            type: m.kind,
            ref,
            from,
            path: m.body.path,
            replyKey: m.body.replyKey,
          });
        } finally {
          this.#readers.delete(ref);
        }
      default:
        throw new ProtocolError('ERR_BAD_MESSAGE', `${m.kind} is not a request to the enclave`);
    }
  }

  /**
   * A request acts only on the computation and the enclave run it was signed for: the envelope's
   * signed `computation` must be this one (the subject it came on is not signed), and every request
   * but `session.hello` (which changes nothing) must name this run's session, so one recorded in
   * an earlier run of the same computation is refused. Checked before anything else, so a refused
   * request has no effect at all: the machine never hears of it.
   */
  #checkBinding(m: Inbound): void {
    if (m.computation !== this.computation) {
      throw new ProtocolError('ERR_WRONG_COMPUTATION', 'the request is for another computation', {
        details: { computation: m.computation },
      });
    }
    if (m.kind === 'session.hello') return;
    const session = 'session' in m.body ? m.body.session : undefined;
    if (session !== this.#session) {
      throw new ProtocolError('ERR_WRONG_SESSION', 'the request is for another enclave session', {
        details: { session: session ?? null },
      });
    }
  }

  /** A signed `session.open`: the channel's keys from its HPKE encapsulation; answered on it. */
  async #openChannel(m: Inbound<'session.open'>): Promise<Outbound> {
    if (m.channel !== undefined)
      throw new ProtocolError('ERR_BAD_MESSAGE', 'session.open is signed, not sent on a channel');
    const channel = await this.#channels!.accept(m.from, m.body);
    return {
      kind: 'session.opened',
      body: { channel: Uint8Array.from(Buffer.from(channel, 'hex')) },
      channel,
    };
  }

  /** Delivers a request to the machine after earlier ones; resolves with the machine's reply. */
  #ask(event: EnclaveRequestEvent): Promise<Outbound> {
    return this.#mailbox.run(
      event.ref,
      () => this.#send(event),
      () => this.actor.done,
    );
  }

  /** Phases 7 and 8: chunks are acknowledged here; the complete file goes to the machine. */
  async #provision(m: UploadRequest, ref: string, from: number): Promise<Outbound> {
    const { path } = m.body;
    // Whatever its bytes, an upload the policy refuses is refused at its first chunk (and every
    // other), before any of it is buffered; the machine checks the whole file again.
    const mode = m.kind === 'provision.data' ? m.body.mode : 'write';
    const refused = checkUpload(this.#view, { from, path, mode });
    if (refused) throw ProtocolError.fromWire(refused);
    const progress = await this.#uploads!.accept(m.from, {
      path,
      size: m.body.size,
      sealed: await this.#sealedOf(m),
      // take() matched the bytes against this digest: the upload's digest reuses it.
      ...(m.body.bulk ? { digest: m.body.bulk.digest } : {}),
      ...(m.body.chunk ? { chunk: m.body.chunk } : {}),
    });
    if (!progress.complete)
      return {
        kind: 'provision.ack',
        body: { path, received: progress.received, complete: false },
      };
    const data = this.#held.hold(progress.sealedDigest, progress.bytes);
    const pinned = this.#loaded.policy.fileHashes.some((h) => h.filePath === path);
    const hash = pinned ? sha256Hex(progress.bytes) : undefined;
    const common = { ref, from, path, size: progress.received, data, ...(hash ? { hash } : {}) };
    try {
      return await this.#ask(
        m.kind === 'provision.program'
          ? { type: m.kind, ...common }
          : { type: m.kind, ...common, mode: m.body.mode },
      );
    } finally {
      this.#held.drop(data); // refused: the machine never asked for the bytes
    }
  }

  /**
   * A chunk's sealed bytes: inline, or taken from its bulk subject once they match the digest the
   * signed request names. Bytes missing or of another digest end the upload (nothing partial).
   */
  async #sealedOf(m: UploadRequest): Promise<Uint8Array> {
    const { sealed, bulk, chunk } = m.body;
    if (sealed) return sealed;
    try {
      return await this.#bulk!.take(bulk!, chunk?.index ?? 0);
    } catch (error) {
      await this.#uploads!.abandon(m.from, chunk);
      throw error;
    }
  }

  /** A result chunk's sealed bytes go on the reader's bulk subject; the reply names their digest. */
  #bulkResult(body: ResultDataBody, replyKey: Uint8Array): ResultDataBody {
    const { sealed, ...rest } = body;
    const stream = resultBulkStream(replyKey);
    const bulk = publishBulk(
      this.#options.bus,
      this.computation,
      'result',
      stream,
      body.chunk?.index ?? 0,
      sealed!,
    );
    return { ...rest, bulk };
  }

  #outbound(reply: Out<'out.reply'>): Outbound {
    switch (reply.kind) {
      case 'result.data': {
        const chunk = this.#results.takeFirst(reply.ref);
        const reader = this.#readers.get(reply.ref)!;
        return {
          kind: reply.kind,
          body: this.#bulkResult(
            {
              ...reply.body,
              sealed: this.#held.take(reply.body.sealed),
              ...(chunk ? { chunk } : {}),
            },
            reader.replyKey,
          ),
        };
      }
      default:
        return reply;
    }
  }

  async #write(o: Out<'do.write'>): Promise<void> {
    try {
      // The machine has checked the sender's write right on this path (phase 7/8).
      this.#vfs.writeUnchecked(o.path, this.#held.take(o.data), { append: o.mode === 'append' });
      this.#send({ type: 'io.written', ref: o.ref });
    } catch (error) {
      this.#send({ type: 'io.write.failed', ref: o.ref, failure: toVcError(error).toWire() });
    }
  }

  async #execute(o: Out<'do.execute'>): Promise<void> {
    const callerRights =
      this.#loaded.policy.identities.find((i) => i.id === o.from)?.fileRights ?? [];
    try {
      const exitCode = await execute(this.#loaded.policy, this.#vfs, {
        target: o.target,
        callerRights,
        ...(o.pipeline === undefined ? {} : { pipeline: o.pipeline }),
      });
      // Results the run may have made: its files, and its standard streams (read as `stdout`/`stderr`).
      const files = [...this.#vfs.filesUnder('/'), ...this.#vfs.streamsWithContent()];
      this.#send({ type: 'io.executed', ref: o.ref, exitCode, files });
    } catch (error) {
      this.#send({ type: 'io.execute.failed', ref: o.ref, failure: toVcError(error).toWire() });
    }
  }

  async #read(o: Out<'do.read'>): Promise<void> {
    try {
      const bytes = this.#vfs.readUnchecked(o.path);
      const reader = this.#readers.get(o.ref)?.from ?? '';
      const sealed = await this.#results.open(o.ref, reader, o.path, o.replyKey, bytes);
      this.#send({
        type: 'io.read',
        ref: o.ref,
        size: bytes.length,
        sealed: this.#held.holdPublic(sealed),
      });
    } catch (error) {
      this.#send({ type: 'io.read.failed', ref: o.ref, failure: toVcError(error).toWire() });
    }
  }

  async #stopped(): Promise<void> {
    const snapshot = this.actor.snapshot();
    const failure = snapshot.context.failure;
    this.#rejectReady(
      failure ? ProtocolError.fromWire(failure) : new ProtocolError('ERR_SHUT_DOWN', 'shut down'),
    );
    // The machine answers nothing more: requests still waiting for it are refused.
    this.#mailbox.abandon();
    if (this.#endpoint) {
      if (failure) {
        // Whoever waits for this enclave (the launcher) learns at once why it will never be ready.
        const body = { session: this.#session || 'none', reason: failure.code };
        await this.#endpoint
          .publish(
            this.#options.bus.subjects.events(this.computation),
            this.computation,
            'enclave.shutdown',
            body,
          )
          .catch(() => undefined);
      }
      // The final replies, announcements and trace records leave before the subscriptions close.
      this.actor.flushTrace();
      await this.#endpoint.flush().catch(() => undefined);
    }
    this.#close();
    this.#finish({ state: JSON.stringify(snapshot.value), ...(failure ? { failure } : {}) });
  }

  #finish(outcome: EnclaveOutcome): void {
    if (outcome.failure) this.#rejectReady(ProtocolError.fromWire(outcome.failure));
    this.#resolveFinished(outcome);
  }

  #publishTrace(records: TraceTransitionBody[]): void {
    if (this.#options.trace === false) return;
    if (!this.#endpoint) {
      this.#traceBuffer.push(records);
      return;
    }
    void this.#endpoint
      .publish(
        this.#options.bus.subjects.trace(this.computation, 'enclave'),
        this.computation,
        'trace.batch',
        { records },
      )
      .catch(() => undefined);
  }
}
