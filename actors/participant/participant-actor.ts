// A participant bound to the world: finds the enclave of its policy's computation (a liveness ping
// first: no enclave, or one running another policy, is said within seconds and nothing is sent),
// runs the phase 6 checks (attestation/relying-party) before anything secret leaves, then performs
// its steps: uploads sealed to the attested HPKE key (chunked, with progress), compute requests,
// result reads sealed to a fresh ephemeral key, shutdown. Every wait for a reply ends (see
// enclave-watch.ts). Transitions are published on `trace.participant-<id>`. The steps' requests go
// on a session channel (../runtime/session-channel.ts), opened before the first step and closed,
// its receipt checked, after the last one or before a shutdown (which is always signed).
import { randomBytes, type webcrypto } from 'node:crypto';
import { checkEnclaveCertificate } from '../../attestation/index.js';
import {
  participantMachine,
  type EnclaveFacts,
  type ParticipantEvent,
  type ParticipantOutput,
  type Step,
  type StepOutcome,
} from '../../machines/index.js';
import {
  toVcError,
  type WireError,
  type Identity,
  type BodyOf,
  type RequestKind,
  ProtocolError,
  computationIdFor,
  type LoadedPolicy,
} from '../../protocol/index.js';
import { Endpoint, expectReply, type Inbound, type Transport } from '../runtime/endpoint.js';
import { pingEnclave } from '../runtime/liveness.js';
import { EnclaveWatch } from './enclave-watch.js';
import { certificateSenderId, keyFromSenderId, senderIdIsKey } from '../runtime/sender-ids.js';
import {
  ephemeralKeyPair,
  joinChunks,
  sealStream,
  StreamOpener,
  UPLOAD_CHUNK_BYTES,
} from '../../transport/index.js';
import { TracedActor, unhandledOutput } from '../runtime/traced-actor.js';
import { inWindow } from '../runtime/window.js';
import { BulkInbox, publishBulk, resultBulkStream } from '../runtime/bulk.js';
import { ParticipantChannel } from '../runtime/session-channel.js';

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
  /** Bound on each wait for a reply (default 180 s); a lost enclave is noticed sooner by pings. */
  readonly timeoutMs?: number;
  /** Time between liveness pings while a reply is awaited (default 2000 ms; two missed: lost). */
  readonly pingIntervalMs?: number;
  /**
   * Consulted when no enclave answers for the policy's computation: the computations running now
   * whose policy names this sender. One with another policy hash turns ERR_NO_ENCLAVE into
   * ERR_POLICY_HASH_MISMATCH (a policy one byte different has another computation id).
   */
  readonly findComputationsNaming?: (
    senderId: string,
  ) => Promise<readonly { readonly computation: string; readonly policyHash: string }[]>;
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

type Out<T extends ParticipantOutput['type']> = Extract<ParticipantOutput, { type: T }>;
type StepRequest = Exclude<Out<'out.request'>, { kind: 'session.hello' }>;

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

  const watch = new EnclaveWatch(endpoint, computation, {
    ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs }),
  });

  /**
   * Before phase 6 any self-certified sender is heard (and trusted for nothing until the checks
   * pass); afterwards only the enclave whose id the check matched to its certified key.
   */
  const exchange = async (
    bytes: Uint8Array,
    enclave?: EnclaveFacts,
    on?: ParticipantChannel,
  ): Promise<Inbound> => {
    const reply = await watch.request(
      options.bus.subjects.enclave(computation),
      bytes,
      options.timeoutMs ?? 180_000,
    );
    return endpoint.open(
      reply,
      (from) => (enclave === undefined || from === enclave.id ? keyFromSenderId(from) : undefined),
      on?.macKeys,
    );
  };
  /** The open session channel the steps' requests go on (none before the first step). */
  let channel: ParticipantChannel | undefined;
  const request = async <K extends RequestKind>(
    kind: K,
    body: BodyOf<K>,
    enclave?: EnclaveFacts,
  ): Promise<Inbound> => {
    const on = enclave ? channel : undefined;
    if (!on) return exchange(await endpoint.seal(computation, kind, body), enclave);
    const { seq, bytes } = endpoint.sealMac(
      { id: on.id, key: on.sendKey },
      computation,
      kind,
      body,
    );
    on.sent(seq, bytes);
    const reply = await exchange(bytes, enclave, on);
    if (reply.channel === on.idHex) on.received(reply.seq, reply.bytes);
    return reply;
  };

  /** A signed `session.open`; the answer must come on the new channel. */
  async function openChannel(to: EnclaveFacts): Promise<void> {
    const opening = await ParticipantChannel.create(to.hpkeKey, {
      computation,
      session: to.session,
      participant: senderId,
      enclave: to.id,
    });
    const body = { session: to.session, enc: opening.enc };
    const reply = await exchange(
      await endpoint.seal(computation, 'session.open', body),
      to,
      opening,
    );
    const opened = expectReply(reply, 'session.opened');
    if (
      reply.channel !== opening.idHex ||
      Buffer.from(opened.channel).toString('hex') !== reply.channel
    )
      throw new ProtocolError(
        'ERR_BAD_MESSAGE',
        'session.opened must come on the channel it opens',
      );
    opening.received(reply.seq, reply.bytes);
    channel = opening;
  }

  /** `session.close` on the channel; the enclave's signed receipt must match this end's transcript. */
  async function closeChannel(to: EnclaveFacts): Promise<void> {
    const closing = channel!;
    const reply = await request('session.close', { session: to.session }, to);
    channel = undefined;
    const receipt = expectReply(reply, 'session.receipt');
    if (reply.channel !== undefined)
      throw new ProtocolError('ERR_BAD_MESSAGE', 'a session receipt is signed, not MAC-ed');
    closing.checkReceipt(receipt);
  }

  /** Is the enclave there, and does it run this policy? Asked before anything is sent. */
  async function findEnclave(): Promise<void> {
    const own = options.policy.hash;
    // "No responders" comes back at once; a second ping only costs time when the first timed out
    // (an enclave present but slow to answer, e.g. on a loaded machine).
    const answer =
      (await pingEnclave(options.bus, computation)) ??
      (await pingEnclave(options.bus, computation));
    if (answer && answer.policyHash !== own)
      throw hashMismatch(own, answer.policyHash, computation);
    if (answer) return;
    const others = (await options.findComputationsNaming?.(senderId)) ?? [];
    const other = others.find((c) => c.policyHash !== own);
    if (other) throw hashMismatch(own, other.policyHash, other.computation);
    throw new ProtocolError(
      'ERR_NO_ENCLAVE',
      `no enclave is running for computation ${computation} (policy ${own}); start one with vc launch`,
      { details: { computation, policyHash: own } },
    );
  }

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
    onTrace: (records) => {
      if (options.trace === false) return;
      void endpoint
        .publish(options.bus.subjects.trace(computation, name), computation, 'trace.batch', {
          records,
        })
        .catch(() => undefined);
    },
    onEffectError: (error) => actor.send({ type: 'io.failed', failure: toVcError(error).toWire() }),
  });
  const send = (event: ParticipantEvent) => actor.send(event);

  async function effect(o: ParticipantOutput): Promise<void> {
    switch (o.type) {
      case 'out.request':
        return o.kind === 'session.hello' ? hello() : send(await step(o));
      case 'do.verify-enclave':
        return verify(o.enclave);
      case 'do.done':
      case 'do.stop':
        return; // runParticipant reads the outcome from the final snapshot
      default:
        return unhandledOutput(o);
    }
  }

  async function hello(): Promise<void> {
    try {
      await findEnclave();
    } catch (error) {
      return send({ type: 'protocol.error', ref: 'hello', failure: toVcError(error).toWire() });
    }
    const reply = await request('session.hello', {});
    if (reply.kind === 'protocol.error')
      return send({ type: 'protocol.error', ref: 'hello', failure: reply.body });
    const ready = expectReply(reply, 'enclave.ready');
    send({ type: 'enclave.ready', from: reply.from, ...ready });
  }

  /** Phase 6: chain to proxy_service_cert, validity now, measurement, policy hash; and the key. */
  async function verify(enclave: EnclaveFacts): Promise<void> {
    try {
      const attested = await checkEnclaveCertificate({
        chain: enclave.chain,
        policy: options.policy,
        now: clock(),
      });
      if (!(await senderIdIsKey(enclave.id, attested.signingKey))) {
        throw new ProtocolError(
          'ERR_ENCLAVE_KEY_MISMATCH',
          'the enclave signed with a key its certificate does not name',
        );
      }
      send({ type: 'io.enclave.verified', hpkeKey: attested.hpkePublicKey });
    } catch (error) {
      send({ type: 'io.enclave.rejected', failure: toVcError(error).toWire() });
    }
  }

  /** Steps performed so far. */
  let performed = 0;

  /** Performs one step on the session channel (opened or closed around it as needed). */
  async function step(o: StepRequest): Promise<ParticipantEvent> {
    const { step: s, to } = o;
    // A channel that cannot open or close, or a receipt that does not match, fails the step as
    // any failure to exchange does (io.failed with its code).
    if (s.op === 'shutdown' && channel) await closeChannel(to);
    if (s.op !== 'shutdown' && !channel) await openChannel(to);
    const event = await perform(o);
    // After the last step, or a refusal (the machine may stop there): the receipt makes every
    // message of the channel verifiable from the journal.
    const last = ++performed === options.steps.length;
    if (channel && (last || event.type === 'protocol.error')) await closeChannel(to);
    return event;
  }

  /** Performs one step; its reply (or refusal) becomes the machine's event. */
  async function perform(o: StepRequest): Promise<ParticipantEvent> {
    const { ref, step: s, to } = o;
    switch (s.op) {
      case 'program':
      case 'data':
        return upload(ref, s, to);
      case 'compute':
        return replyEvent(
          ref,
          await request('compute.request', { session: to.session, program: s.program }, to),
        );
      case 'pipeline':
        return replyEvent(
          ref,
          await request('compute.request', { session: to.session, pipeline: s.pipeline }, to),
        );
      case 'result':
        return readResult(ref, s, to);
      case 'shutdown':
        return replyEvent(ref, await request('shutdown.request', { session: to.session }, to));
      default:
        return unhandledOutput(s);
    }
  }

  async function upload(
    ref: string,
    s: Extract<Step, { op: 'program' | 'data' }>,
    to: EnclaveFacts,
  ): Promise<ParticipantEvent> {
    const bytes = await options.readSource(s.source);
    const uploadId = `u${randomBytes(8).toString('hex')}`;
    const stream = await sealStream(
      to.hpkeKey,
      bytes,
      { computation, session: to.session, path: s.path, purpose: 'upload' },
      uploadId,
    );
    let ack: BodyOf<'provision.ack'> | undefined;
    let sent = 0;
    const failure = await inWindow(stream, async ({ sealed, chunk, end }) => {
      // The bytes go first on their bulk subject (not journaled); the signed request names them.
      const bulk = publishBulk(
        options.bus,
        computation,
        'upload',
        uploadId,
        chunk?.index ?? 0,
        sealed,
      );
      const body = {
        session: to.session,
        path: s.path,
        bulk,
        size: bytes.length,
        ...(chunk ? { chunk } : {}),
      };
      const reply =
        s.op === 'program'
          ? await request('provision.program', body, to)
          : await request('provision.data', { ...body, mode: s.mode }, to);
      if (reply.kind === 'protocol.error') return reply.body;
      const acked = expectReply(reply, 'provision.ack');
      if (acked.complete) ack = acked;
      sent += end - (chunk ? chunk.index * UPLOAD_CHUNK_BYTES : 0);
      options.onProgress?.({ path: s.path, sent, total: bytes.length });
      return undefined;
    });
    if (failure) return { type: 'protocol.error', ref, failure };
    if (!ack) throw new ProtocolError('ERR_BAD_MESSAGE', 'the upload was never acknowledged whole');
    return { type: 'provision.ack', ref, body: { path: ack.path, received: ack.received } };
  }

  /** Phase 10: the first chunk opens the result's stream and names its count; the rest follow. */
  async function readResult(
    ref: string,
    s: Extract<Step, { op: 'result' }>,
    to: EnclaveFacts,
  ): Promise<ParticipantEvent> {
    const { keyPair, publicRaw } = await ephemeralKeyPair();
    // The enclave publishes each sealed chunk on this reader's bulk subject before its reply.
    const inbox = new BulkInbox(options.bus, computation, 'result', resultBulkStream(publicRaw));
    try {
      await inbox.ready();
      return await readStream(ref, s, to, keyPair, publicRaw, inbox);
    } finally {
      inbox.close();
    }
  }

  async function readStream(
    ref: string,
    s: Extract<Step, { op: 'result' }>,
    to: EnclaveFacts,
    keyPair: webcrypto.CryptoKeyPair,
    publicRaw: Uint8Array,
    inbox: BulkInbox,
  ): Promise<ParticipantEvent> {
    const read = { session: to.session, path: s.path, replyKey: publicRaw };
    const sealedOf = (body: BodyOf<'result.data'>): Promise<Uint8Array> =>
      body.sealed ? Promise.resolve(body.sealed) : inbox.take(body.bulk!, body.chunk?.index ?? 0);
    const reply = await request('result.read', read, to);
    if (reply.kind === 'protocol.error')
      return { type: 'protocol.error', ref, failure: reply.body };
    const first = expectReply(reply, 'result.data');
    const firstSealed = await sealedOf(first);
    const chunk = first.chunk;
    const count = chunk?.count ?? 1;
    if (first.path !== s.path || (chunk && chunk.index !== 0))
      throw new ProtocolError('ERR_BAD_MESSAGE', 'a result.data that answers another read');
    const opener = await StreamOpener.from(keyPair, firstSealed, {
      computation,
      session: to.session,
      path: s.path,
      purpose: 'result',
      ...(chunk ? { chunk } : {}),
    });
    const parts: Uint8Array[] = [opener.open(firstSealed, 0, count)];
    const rest = Array.from({ length: count - 1 }, (_, i) => i + 1);
    const failure = await inWindow(rest, async (index) => {
      const next = await request('result.read', { ...read, chunk: { ...chunk!, index } }, to);
      if (next.kind === 'protocol.error') return next.body;
      const body = expectReply(next, 'result.data');
      if (body.chunk?.index !== index)
        throw new ProtocolError('ERR_BAD_MESSAGE', 'a result.data of another chunk than asked');
      // The index and count are bound in the chunk's AAD: a chunk of another place fails to open.
      parts[index] = opener.open(await sealedOf(body), index, count);
      return undefined;
    });
    if (failure) return { type: 'protocol.error', ref, failure };
    const bytes = joinChunks(
      parts,
      parts.reduce((sum, p) => sum + p.length, 0),
    );
    if (bytes.length !== first.size)
      throw new ProtocolError('ERR_BAD_MESSAGE', 'a result of another size than announced');
    await options.writeResult(s.destination, bytes);
    return { type: 'result.data', ref, body: { path: s.path, size: bytes.length } };
  }

  actor.start();
  try {
    await actor.waitFor((snapshot) => snapshot.status === 'done');
  } finally {
    watch.close();
  }
  // The last trace records leave before the caller may close the bus.
  await endpoint.flush().catch(() => undefined);
  const snapshot = actor.snapshot();
  const state: string = snapshot.value;
  return {
    ok: state === 'done',
    state,
    outcomes: snapshot.context.outcomes,
    ...(snapshot.context.failure ? { failure: snapshot.context.failure } : {}),
    actor,
  };
}

/** A compute or shutdown reply as the machine's event (other kinds are not replies to these). */
function replyEvent(ref: string, reply: Inbound): ParticipantEvent {
  switch (reply.kind) {
    case 'protocol.error':
      return { type: 'protocol.error', ref, failure: reply.body };
    case 'compute.done':
      return { type: 'compute.done', ref, body: reply.body };
    case 'shutdown.ack':
      return { type: 'shutdown.ack', ref, body: reply.body };
    default:
      throw new ProtocolError('ERR_BAD_MESSAGE', `unexpected ${reply.kind} reply`);
  }
}

function hashMismatch(own: string, theirs: string, computation: string): ProtocolError {
  return new ProtocolError(
    'ERR_POLICY_HASH_MISMATCH',
    `the enclave of computation ${computation} runs another policy: yours ${own}, the enclave's ${theirs}`,
    { details: { computation, policyHash: own, enclavePolicyHash: theirs } },
  );
}

function pemDer(pem: string): Uint8Array {
  const base64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(base64, 'base64'));
}
