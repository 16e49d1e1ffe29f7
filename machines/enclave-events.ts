// What the enclave worker machine hears and says. Requests arrive after the actor shell verified the
// envelope and mapped the sender to its policy identity id (`from`); `ref` names the waiting request
// the reply answers. Public values (the reader's reply key, the verifier's nonce, the evidence, the
// certificate chain) travel in events and context, so every output carries what its effect needs.
// Plaintext and sealed payloads never do: the shell holds them and events carry a `Handle` naming
// them, so machine events and traces hold no secrets (nor bulk) and replay needs neither.
import type {
  AttestEvidenceBody,
  AttestStartBody,
  BodyOf,
  ComputeDoneBody,
  EnclaveReadyBody,
  ProvisionMode,
  ResultDataBody,
} from '../protocol/index.js';
import type { Failure } from './failure.js';

/**
 * Names bytes the shell holds for the effect that consumes them (a digest of public bytes, never of
 * a secret: traces are readable by anyone on the bus).
 */
export type Handle = string;

/** A message body whose byte fields `F` are handles to bytes the shell holds. */
type WithHandles<B, F extends keyof B> = Omit<B, F> & { readonly [K in F]: Handle };

export type EnclaveRequestEvent =
  | { type: 'session.hello'; ref: string; from: number }
  | {
      type: 'provision.program';
      ref: string;
      from: number;
      path: string;
      size: number;
      /** The opened file. */
      data: Handle;
      /** SHA-256 of the plaintext, given only when the policy's file_hashes names the path. */
      hash?: string;
    }
  | {
      type: 'provision.data';
      ref: string;
      from: number;
      path: string;
      size: number;
      mode: ProvisionMode;
      data: Handle;
      hash?: string;
    }
  | { type: 'compute.request'; ref: string; from: number; program?: string; pipeline?: string }
  | {
      type: 'result.read';
      ref: string;
      from: number;
      path: string;
      /** The reader's ephemeral HPKE public key the result is sealed to. */
      replyKey: Uint8Array;
    }
  | { type: 'shutdown.request'; ref: string; from: number };

export type EnclaveEvent =
  | EnclaveRequestEvent
  | { type: 'io.keys.ready'; session: string }
  | { type: 'io.failed'; failure: Failure }
  | { type: 'attest.challenge'; attestation: string; nonce: Uint8Array }
  | { type: 'io.evidence.ready'; evidence: Uint8Array; csr: Uint8Array }
  | { type: 'attest.certificate'; chain: readonly string[] }
  | { type: 'protocol.error'; failure: Failure }
  | { type: 'io.written'; ref: string }
  | { type: 'io.write.failed'; ref: string; failure: Failure }
  | { type: 'io.executed'; ref: string; exitCode: number; files: readonly string[] }
  | { type: 'io.execute.failed'; ref: string; failure: Failure }
  | { type: 'io.read'; ref: string; size: number; sealed: Handle }
  | { type: 'io.read.failed'; ref: string; failure: Failure };

/** The enclave's answer to a request, decided whole by the machine. */
export type EnclaveReply =
  | { kind: 'enclave.ready'; body: EnclaveReadyBody }
  | { kind: 'provision.ack'; body: BodyOf<'provision.ack'> }
  | { kind: 'compute.done'; body: ComputeDoneBody }
  | { kind: 'result.data'; body: WithHandles<ResultDataBody, 'sealed'> }
  | { kind: 'shutdown.ack'; body: BodyOf<'shutdown.ack'> }
  | { kind: 'protocol.error'; body: BodyOf<'protocol.error'> };

/** Outputs: messages to send (`out.*`) and effects for the shell to perform (`do.*`). */
export type EnclaveOutput =
  | { type: 'do.keys' }
  | { type: 'do.evidence'; attestation: string; nonce: Uint8Array }
  | { type: 'do.write'; ref: string; path: string; mode: ProvisionMode; data: Handle }
  | {
      type: 'do.execute';
      ref: string;
      /** The participant who asked (a pipeline runs with its rights checked per program). */
      from: number;
      target: string;
      programs: readonly string[];
      pipeline?: string;
    }
  | { type: 'do.read'; ref: string; path: string; replyKey: Uint8Array }
  | { type: 'do.stop'; reason: string }
  | {
      type: 'out.request';
      to: 'verifier';
      kind: 'attest.start';
      /** The shell adds the policy's bytes, which the machine knows by their hash. */
      body: Omit<AttestStartBody, 'policy'>;
    }
  | {
      type: 'out.request';
      to: 'verifier';
      kind: 'attest.evidence';
      body: AttestEvidenceBody;
    }
  | { type: 'out.publish'; kind: 'enclave.ready'; body: EnclaveReadyBody }
  | { type: 'out.publish'; kind: 'enclave.shutdown'; body: BodyOf<'enclave.shutdown'> }
  | ({ type: 'out.reply'; ref: string } & EnclaveReply);
