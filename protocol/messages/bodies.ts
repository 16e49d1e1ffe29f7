// Body shapes of every message kind of the provisioning protocol (phases 1 to 11,
// docs/protocol-flow.md). Each shape is written once, as its schema in `BODY_SCHEMAS`; its
// TypeScript type is derived from that schema (`BodyOf<K>`), so the validator and the type cannot
// drift apart. The envelope (transport/) carries `kind` and the msgpack-encoded body; receivers
// validate the decoded body with `validateBody(kind, body)` (validate.ts) before acting on it.
// docs/asyncapi.yaml carries each schema as JSON Schema (`jsonSchemaOf`, npm run build:asyncapi).
import type { ErrorCode } from '../error-codes.js';
import { canonicalPathProblem, PSEUDO_FILES } from '../policy/paths.js';
import {
  anyPlain,
  arrayOf,
  bool,
  bytes,
  described,
  exactlyOne,
  int,
  narrow,
  obj,
  oneOf,
  record,
  str,
  uint,
  type Check,
  type Infer,
} from './schema.js';

const MAX_FILE = 2 ** 40;
const MAX_SEALED = 64 * 2 ** 20;
const id = str(128, /^[A-Za-z0-9_.:-]+$/);
const hex64 = str(64, /^[0-9a-f]{64}$/);
const pem = str(64 * 1024, /^-----BEGIN [A-Z ]+-----/);
/** PEM certificates, enclave leaf first, then the CA (the policy's proxy_service_cert). */
const chain = arrayOf(pem, 8);
const MAX_PATH_LENGTH = 4096;
/** A canonical tree path other than `/`, as a pattern (JSON Schema's ECMA-262 dialect). */
const CANONICAL_PATH = '^(/(?!\\.\\.?(/|$))[^/\\u0000]+)+$';
/**
 * A file named the way protocol/policy/paths.ts writes it: canonical, and not the root directory.
 * Its JSON Schema says the same as a pattern: one or more `/segment`, no segment empty, `.` or `..`,
 * no NUL; or a pseudo file (scripts/asyncapi.test.ts checks the two agree).
 */
const vfsPath: Check<string> = described(
  (value, at) => {
    if (typeof value !== 'string' || value.length > MAX_PATH_LENGTH)
      return `${at} is not a file path of at most ${MAX_PATH_LENGTH} characters`;
    const problem = value === '/' ? 'names the root directory' : canonicalPathProblem(value);
    return problem === undefined ? undefined : `${at} is not a valid file path: ${problem}`;
  },
  () => ({
    type: 'string',
    maxLength: MAX_PATH_LENGTH,
    anyOf: [{ enum: [...PSEUDO_FILES] }, { pattern: CANONICAL_PATH }],
  }),
);
/** Bytes of exactly `length` (a channel id, an HPKE encapsulation). */
const exactBytes = (length: number): Check<Uint8Array> =>
  described<Check<Uint8Array>>(
    (value, at) =>
      value instanceof Uint8Array && value.byteLength === length
        ? undefined
        : `${at} must be exactly ${length} bytes`,
    () => ({ type: 'string', format: 'binary', minLength: length, maxLength: length }),
  );
/** The pattern guarantees the `ERR_` prefix of an error code. */
const errorCode = narrow<ErrorCode>(str(64, /^ERR_[A-Z0-9_]+$/));

/** How a data file is provisioned (phase 8). `stdin` feeds the program's standard input. */
const provisionMode = oneOf('write', 'append', 'stdin');

/** One chunk of a large upload or result; absent when the file travels in one message. */
const chunkInfo = obj({
  /** Id of the stream: chosen by the sender of an upload (unique per sender and session), by the enclave for a result. */
  upload: id,
  index: uint(2 ** 32),
  count: uint(2 ** 32),
});

/**
 * The enclave session a request is meant for (the `session` of its `enclave.ready`): inside the
 * signed envelope, it binds the request to one run of the enclave, so a request recorded in one
 * session is refused in any other (docs/protocol.md, "Binding").
 */
const session = id;

/**
 * A sealed chunk carried outside the journal (docs/protocol.md, "Bulk chunks"): its bytes travel
 * on `subjects.bulk(computation, purpose, stream, index)` (protocol/messages/subjects.ts) and must have this SHA-256 and size.
 */
const bulkRef = obj({ stream: id, digest: hex64, size: uint(MAX_SEALED) });

const provision = {
  session,
  path: vfsPath,
  /** Plaintext size of the whole file. */
  size: uint(MAX_FILE),
};
/** Exactly one of them: the sealed chunk in the message, or the digest of its bulk bytes. */
const sealedOrBulk = {
  /** HPKE-sealed file bytes (or one chunk of them), sealed to the enclave's key (transport/sealing.ts). */
  sealed: bytes(MAX_SEALED),
  bulk: bulkRef,
};

// Declared apart for inference (exactlyOne keeps the object's type).
const provisionProgram = obj(provision, { chunk: chunkInfo, ...sealedOrBulk });
const provisionData = obj(
  { ...provision, mode: provisionMode },
  { chunk: chunkInfo, ...sealedOrBulk },
);
const resultData = obj(
  { path: vfsPath, size: uint(MAX_FILE) },
  {
    /** The chunk's place when the result is a stream of more than one chunk. */
    chunk: chunkInfo,
    ...sealedOrBulk,
  },
);

/** What `compute.request` runs: a program path or a pipeline name (declared apart for inference). */
const computeTarget = obj({ session }, { program: vfsPath, pipeline: str(256) });

/** One state transition of one actor: the unit `vc replay` re-drives. */
const traceTransition = obj(
  {
    actor: id,
    /** Machine id (`enclave`, `participant`, `verifier`, `host`). */
    machine: id,
    /** 0 for the start record, then one per event fed to the machine. */
    index: uint(),
    /** The event fed to the machine (never a secret: machines see metadata only). */
    event: record(),
    /** JSON of the state value after the event. */
    state: str(64 * 1024),
    /** Events the machine emitted while handling the event. */
    outputs: arrayOf(record(), 1024),
  },
  {
    /** Start record only: the machine's input, serialisable. */
    input: anyPlain(),
    /**
     * When the transition happened (ms since the epoch, the actor's clock): a record may leave in
     * a batch later (docs/protocol.md, "Trace batches").
     */
    at: uint(),
  },
);

/** The most transitions one `trace.batch` carries. */
export const TRACE_BATCH_MAX = 64;

export const BODY_SCHEMAS = {
  'host.launch': obj(
    {
      /** The policy file's exact bytes (its SHA-256 is the policy hash). */
      policy: bytes(1 << 20),
      /** Attestation platform the enclave should use (`sim`, `psa`, `nitro`). */
      platform: id,
      computation: id,
    },
    {
      /** The launcher's wait in milliseconds: a worker not ready by then is ended (ERR_LAUNCHER_GONE). */
      deadlineMs: uint(2 ** 31),
    },
  ),
  'host.launched': obj({ computation: id, host: id, worker: id }),
  /**
   * An operator's `vc computations stop`, sent to the host holding the computation; or a launcher
   * whose phase 6 check refused the enclave (`failure`: the entry ends failed with that code).
   */
  'host.stop': obj({ computation: id }, { failure: obj({ code: errorCode, message: str(1024) }) }),
  /** The host ended the worker; `state` is the entry's final state. */
  'host.stopped': obj({ computation: id, state: oneOf('finished', 'failed', 'stopped') }),
  'attest.start': obj({
    computation: id,
    platform: id,
    policyHash: hex64,
    /** The policy's exact bytes: the verifier checks them against `policyHash` and reads the expiry. */
    policy: bytes(1 << 20),
  }),
  'attest.challenge': obj({
    /** The verifier's attestation session id. */
    attestation: id,
    nonce: bytes(1024),
    /** Milliseconds since the epoch after which the challenge is stale. */
    expiresAt: uint(),
  }),
  'attest.evidence': obj({
    attestation: id,
    platform: id,
    evidence: bytes(1 << 20),
    /** DER-encoded PKCS#10 CSR for the enclave's signing key. */
    csr: bytes(64 * 1024),
  }),
  'attest.certificate': obj({ attestation: id, chain }),
  /**
   * A participant's opening request; answered with `enclave.ready`. The only request not bound to a
   * session: it is how a participant learns the session, and it changes nothing.
   */
  'session.hello': obj({}),
  'enclave.ready': obj({
    /** Fresh per enclave run: every later request carries it, and the sealing `info` binds it. */
    session: id,
    policyHash: hex64,
    platform: id,
    chain,
  }),
  'provision.program': exactlyOne(provisionProgram, 'sealed', 'bulk'),
  'provision.data': exactlyOne(provisionData, 'sealed', 'bulk'),
  'provision.ack': obj({
    path: vfsPath,
    /** Bytes received so far (equals the size once complete). */
    received: uint(MAX_FILE),
    complete: bool,
  }),
  /** Exactly one of `program` or `pipeline`. */
  'compute.request': exactlyOne(computeTarget, 'program', 'pipeline'),
  'compute.done': obj({ target: str(4096), exitCode: int }),
  'result.read': obj(
    {
      session,
      path: vfsPath,
      /** The reader's ephemeral HPKE public key (raw P-256 point) the result is sealed to. */
      replyKey: bytes(133),
    },
    {
      /** A later chunk of a result stream (`upload` is the stream id its first `result.data` named). */
      chunk: chunkInfo,
    },
  ),
  'result.data': exactlyOne(resultData, 'sealed', 'bulk'),
  'shutdown.request': obj({ session }),
  /**
   * Opens a session channel (docs/protocol.md, "Session channels"): `enc` is the participant's
   * HPKE encapsulation to the enclave's attested key; the channel's MAC keys are exported from it.
   */
  'session.open': obj({ session, enc: exactBytes(65) }),
  /** The channel is open: the first message authenticated under its enclave->participant key. */
  'session.opened': obj({ channel: exactBytes(16) }),
  /** Ends a session channel; answered with the enclave's signed receipt. */
  'session.close': obj({ session }),
  /** The enclave's signed receipt of a closed channel: what it received and sent on it. */
  'session.receipt': obj({
    session,
    channel: exactBytes(16),
    /** Distinct participant->enclave messages of the channel (the close included). */
    requests: uint(),
    /** Distinct enclave->participant messages of the channel (`session.opened` included). */
    replies: uint(),
    /** The transcript hash over all of them, in their canonical order. */
    transcript: hex64,
  }),
  'shutdown.ack': obj({
    shutDown: bool,
    /** Participant ids whose consent is still missing (consensus rule). */
    waitingFor: arrayOf(uint(), 4096),
  }),
  'enclave.shutdown': obj({ session: id, reason: str(1024) }),
  /**
   * The host holding a computation announces its end on the computation's events subject (a final
   * registry state): participants still waiting stop with `code` at once instead of timing out.
   * Unauthenticated like every host message: it can only end a wait, never grant anything.
   */
  'computation.ended': obj(
    {
      computation: id,
      state: oneOf('finished', 'failed', 'stopped'),
      host: id,
      worker: id,
      message: str(1024),
    },
    { code: errorCode },
  ),
  /** A refusal, as `VcError.toWire()` gives it. */
  'protocol.error': obj({ code: errorCode, message: str(4096) }, { details: record() }),
  /** One state transition of one actor (journals written before trace batches; still read). */
  'trace.transition': traceTransition,
  /**
   * Consecutive transitions of one actor, published on `vc.c.<computation>.trace.<actor>`: one
   * signature covers the batch (docs/protocol.md, "Trace batches").
   */
  'trace.batch': obj({ records: arrayOf(traceTransition, TRACE_BATCH_MAX) }),
} as const;

export type MessageKind = keyof typeof BODY_SCHEMAS;
export type BodyOf<K extends MessageKind> = Infer<(typeof BODY_SCHEMAS)[K]>;

export type ProvisionMode = Infer<typeof provisionMode>;
export type ChunkInfo = Infer<typeof chunkInfo>;
export type BulkRef = Infer<typeof bulkRef>;
export type HostLaunchBody = BodyOf<'host.launch'>;
export type HostLaunchedBody = BodyOf<'host.launched'>;
export type AttestStartBody = BodyOf<'attest.start'>;
export type AttestChallengeBody = BodyOf<'attest.challenge'>;
export type AttestEvidenceBody = BodyOf<'attest.evidence'>;
export type EnclaveReadyBody = BodyOf<'enclave.ready'>;
export type ProvisionDataBody = BodyOf<'provision.data'>;
export type ComputeDoneBody = BodyOf<'compute.done'>;
export type ResultDataBody = BodyOf<'result.data'>;
export type TraceTransitionBody = BodyOf<'trace.transition'>;

/**
 * The unsigned plain-msgpack payloads of the liveness subjects (docs/protocol.md, "Liveness"): not
 * envelopes, since they only decide how soon a waiter gives up; trust comes from phase 6 alone.
 * The hosts' and the verifier's pings and answers are empty payloads.
 */
export const LIVENESS_SCHEMAS = {
  /** A participant's ping on `liveSubject(computation)`. */
  ping: obj({ computation: id }),
  /** The enclave's answer, from its `enclave.ready` until it closes. */
  answer: obj({
    computation: id,
    policyHash: hex64,
    session: id,
    /** The enclave machine's state, for operators (JSON of the state value). */
    phase: str(64 * 1024),
  }),
} as const;
export type LivenessAnswer = Infer<typeof LIVENESS_SCHEMAS.answer>;

export const MESSAGE_KINDS = Object.keys(BODY_SCHEMAS) as readonly MessageKind[];

export function isMessageKind(kind: string): kind is MessageKind {
  return Object.hasOwn(BODY_SCHEMAS, kind);
}

/** The reply kind each request kind expects on success (`error` is always possible too). */
export const REPLY_KIND = {
  'host.launch': 'host.launched',
  'host.stop': 'host.stopped',
  'attest.start': 'attest.challenge',
  'attest.evidence': 'attest.certificate',
  'session.hello': 'enclave.ready',
  'provision.program': 'provision.ack',
  'provision.data': 'provision.ack',
  'compute.request': 'compute.done',
  'result.read': 'result.data',
  'shutdown.request': 'shutdown.ack',
  'session.open': 'session.opened',
  'session.close': 'session.receipt',
} as const satisfies Partial<Record<MessageKind, MessageKind>>;

export type RequestKind = keyof typeof REPLY_KIND;
