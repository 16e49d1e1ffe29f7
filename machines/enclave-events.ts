// What the enclave worker machine hears and says. Requests arrive after the actor shell verified the
// envelope and mapped the sender to its policy identity id (`from`); they carry metadata only: the
// shell keeps plaintext and sealed bytes, so machine events and traces never hold secrets.
import type { ProvisionMode } from '../protocol/messages/bodies.js';
import type { Failure } from './failure.js';

export type EnclaveRequestEvent =
  | { type: 'session.hello'; ref: string; from: number }
  | {
      type: 'provision.program';
      ref: string;
      from: number;
      path: string;
      size: number;
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
      hash?: string;
    }
  | { type: 'compute.request'; ref: string; from: number; program?: string; pipeline?: string }
  | { type: 'result.read'; ref: string; from: number; path: string }
  | { type: 'shutdown.request'; ref: string; from: number };

export type EnclaveEvent =
  | EnclaveRequestEvent
  | { type: 'io.keys.ready'; session: string }
  | { type: 'io.failed'; failure: Failure }
  | { type: 'attest.challenge'; attestation: string }
  | { type: 'io.evidence.ready' }
  | { type: 'attest.certificate'; chain: readonly string[] }
  | { type: 'protocol.error'; failure: Failure }
  | { type: 'io.written'; ref: string }
  | { type: 'io.write.failed'; ref: string; failure: Failure }
  | { type: 'io.executed'; ref: string; exitCode: number; files: readonly string[] }
  | { type: 'io.execute.failed'; ref: string; failure: Failure }
  | { type: 'io.read'; ref: string; size: number }
  | { type: 'io.read.failed'; ref: string; failure: Failure };

/** Outputs: messages to send (`out.*`) and effects for the shell to perform (`do.*`). */
export type EnclaveOutput =
  | { type: 'do.keys' }
  | { type: 'do.evidence'; attestation: string }
  | { type: 'do.write'; ref: string; path: string; mode: ProvisionMode }
  | {
      type: 'do.execute';
      ref: string;
      target: string;
      programs: readonly string[];
      pipeline?: string;
    }
  | { type: 'do.read'; ref: string; path: string }
  | { type: 'do.stop'; reason: string }
  | { type: 'out.request'; to: 'verifier'; kind: 'attest.start'; body: Record<string, unknown> }
  | { type: 'out.request'; to: 'verifier'; kind: 'attest.evidence'; body: { attestation: string } }
  | {
      type: 'out.publish';
      kind: 'enclave.ready' | 'enclave.shutdown';
      body: Record<string, unknown>;
    }
  | { type: 'out.reply'; ref: string; kind: string; body: Record<string, unknown> };
