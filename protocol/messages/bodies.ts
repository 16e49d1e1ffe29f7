// Body shapes of every message kind of the provisioning protocol (DESIGN phases 1 to 11). The
// envelope (transport/) carries `kind` and the msgpack-encoded body; receivers validate the decoded
// body against `validateBody(kind, body)` (validate.ts) before acting on it.
import type { WireError } from '../errors.js';

/** How a data file is provisioned (phase 8). `stdin` feeds the program's standard input. */
export type ProvisionMode = 'write' | 'append' | 'stdin';

/** One chunk of a large upload; absent when the file travels in one message. */
export interface ChunkInfo {
  /** Sender-chosen id of this upload, unique per sender and session. */
  readonly upload: string;
  readonly index: number;
  readonly count: number;
}

export interface HostLaunchBody {
  /** The policy file's exact bytes (its SHA-256 is the policy hash). */
  readonly policy: Uint8Array;
  /** Attestation platform the enclave should use (`sim`, `psa`, `nitro`). */
  readonly platform: string;
  readonly computation: string;
}
export interface HostLaunchedBody {
  readonly computation: string;
  readonly host: string;
  readonly worker: string;
}
export interface AttestStartBody {
  readonly computation: string;
  readonly platform: string;
  readonly policyHash: string;
  /** The policy's exact bytes: the verifier checks them against `policyHash` and reads the expiry. */
  readonly policy: Uint8Array;
}
export interface AttestChallengeBody {
  /** The verifier's attestation session id. */
  readonly attestation: string;
  readonly nonce: Uint8Array;
  /** Milliseconds since the epoch after which the challenge is stale. */
  readonly expiresAt: number;
}
export interface AttestEvidenceBody {
  readonly attestation: string;
  readonly platform: string;
  readonly evidence: Uint8Array;
  /** DER-encoded PKCS#10 CSR for the enclave's signing key. */
  readonly csr: Uint8Array;
}
export interface AttestCertificateBody {
  readonly attestation: string;
  /** PEM certificates, enclave leaf first, then the CA (the policy's proxy_service_cert). */
  readonly chain: readonly string[];
}
/** A participant's opening request; answered with `enclave.ready`. */
export type SessionHelloBody = Record<string, never>;
export interface EnclaveReadyBody {
  /** Fresh per enclave run: scopes sequence numbers and HPKE `info`. */
  readonly session: string;
  readonly policyHash: string;
  readonly platform: string;
  readonly chain: readonly string[];
}
export interface ProvisionProgramBody {
  readonly path: string;
  /** HPKE-sealed file bytes (or one chunk of them), sealed to the enclave's key. */
  readonly sealed: Uint8Array;
  /** Plaintext size of the whole file. */
  readonly size: number;
  readonly chunk?: ChunkInfo;
}
export interface ProvisionDataBody extends ProvisionProgramBody {
  readonly mode: ProvisionMode;
}
export interface ProvisionAckBody {
  readonly path: string;
  /** Bytes received so far (equals the size once complete). */
  readonly received: number;
  readonly complete: boolean;
}
/** Exactly one of `program` or `pipeline`. */
export interface ComputeRequestBody {
  readonly program?: string;
  readonly pipeline?: string;
}
export interface ComputeDoneBody {
  readonly target: string;
  readonly exitCode: number;
}
export interface ResultReadBody {
  readonly path: string;
  /** The reader's ephemeral HPKE public key (raw P-256 point) the result is sealed to. */
  readonly replyKey: Uint8Array;
}
export interface ResultDataBody {
  readonly path: string;
  readonly sealed: Uint8Array;
  readonly size: number;
}
export type ShutdownRequestBody = Record<string, never>;
export interface ShutdownAckBody {
  readonly shutDown: boolean;
  /** Participant ids whose consent is still missing (consensus rule). */
  readonly waitingFor: readonly number[];
}
export interface EnclaveShutdownBody {
  readonly session: string;
  readonly reason: string;
}
export type ErrorBody = WireError;

/** One state transition of one actor, published on `vc.c.<computation>.trace.<actor>`. */
export interface TraceTransitionBody {
  readonly actor: string;
  /** Machine id (`enclave`, `participant`, `verifier`, `host`). */
  readonly machine: string;
  /** 0 for the start record, then one per event fed to the machine. */
  readonly index: number;
  /** The event fed to the machine (never a secret: machines see metadata only). */
  readonly event: Record<string, unknown>;
  /** JSON of the state value after the event. */
  readonly state: string;
  /** Events the machine emitted while handling the event. */
  readonly outputs: readonly Record<string, unknown>[];
  /** Start record only: the machine's input, serialisable. */
  readonly input?: Record<string, unknown>;
}

export interface MessageBodies {
  'host.launch': HostLaunchBody;
  'host.launched': HostLaunchedBody;
  'attest.start': AttestStartBody;
  'attest.challenge': AttestChallengeBody;
  'attest.evidence': AttestEvidenceBody;
  'attest.certificate': AttestCertificateBody;
  'session.hello': SessionHelloBody;
  'enclave.ready': EnclaveReadyBody;
  'provision.program': ProvisionProgramBody;
  'provision.data': ProvisionDataBody;
  'provision.ack': ProvisionAckBody;
  'compute.request': ComputeRequestBody;
  'compute.done': ComputeDoneBody;
  'result.read': ResultReadBody;
  'result.data': ResultDataBody;
  'shutdown.request': ShutdownRequestBody;
  'shutdown.ack': ShutdownAckBody;
  'enclave.shutdown': EnclaveShutdownBody;
  'protocol.error': ErrorBody;
  'trace.transition': TraceTransitionBody;
}

export type MessageKind = keyof MessageBodies;
export type BodyOf<K extends MessageKind> = MessageBodies[K];

export const MESSAGE_KINDS = [
  'host.launch',
  'host.launched',
  'attest.start',
  'attest.challenge',
  'attest.evidence',
  'attest.certificate',
  'session.hello',
  'enclave.ready',
  'provision.program',
  'provision.data',
  'provision.ack',
  'compute.request',
  'compute.done',
  'result.read',
  'result.data',
  'shutdown.request',
  'shutdown.ack',
  'enclave.shutdown',
  'protocol.error',
  'trace.transition',
] as const satisfies readonly MessageKind[];

export function isMessageKind(kind: string): kind is MessageKind {
  return (MESSAGE_KINDS as readonly string[]).includes(kind);
}

/** The reply kind each request kind expects on success (`error` is always possible too). */
export const REPLY_KIND = {
  'host.launch': 'host.launched',
  'attest.start': 'attest.challenge',
  'attest.evidence': 'attest.certificate',
  'session.hello': 'enclave.ready',
  'provision.program': 'provision.ack',
  'provision.data': 'provision.ack',
  'compute.request': 'compute.done',
  'result.read': 'result.data',
  'shutdown.request': 'shutdown.ack',
} as const satisfies Partial<Record<MessageKind, MessageKind>>;

export type RequestKind = keyof typeof REPLY_KIND;
