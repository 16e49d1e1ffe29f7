// The provisioning protocol's refusals. Each has a stable code that travels in an `error` reply as
// `{code, message, details}`; callers (participants, tests, the CLI) match on `code`.
import { VcError, type ErrorCode } from '../errors.js';

export const ProtocolErrorCode = {
  /** The sender's rights (by path prefix) do not allow the operation. */
  ACCESS_DENIED: 'ERR_ACCESS_DENIED',
  /** The enclave's policy hash differs from the participant's own. */
  POLICY_HASH_MISMATCH: 'ERR_POLICY_HASH_MISMATCH',
  /** A provisioned file's SHA-256 differs from the policy's `file_hashes` entry. */
  FILE_HASH_MISMATCH: 'ERR_FILE_HASH_MISMATCH',
  /** Execution of a program (or pipeline) that was never provisioned / is not in the policy. */
  PROGRAM_NOT_FOUND: 'ERR_PROGRAM_NOT_FOUND',
  /** A result read before any execution produced that file. */
  NO_RESULT: 'ERR_NO_RESULT',
  /** The sender is not an identity of the policy. */
  UNKNOWN_PARTICIPANT: 'ERR_UNKNOWN_PARTICIPANT',
  /** The program ran and failed (non-zero exit, trap, missing input, limit). */
  PROGRAM_FAILED: 'ERR_PROGRAM_FAILED',
  /** A message arrived in a phase where it is not allowed (e.g. provisioning before ready). */
  WRONG_PHASE: 'ERR_WRONG_PHASE',
  /** The computation has been shut down. */
  SHUT_DOWN: 'ERR_SHUT_DOWN',
  /** A message body does not match the schema of its kind. */
  BAD_MESSAGE: 'ERR_BAD_MESSAGE',
  /**
   * Participant check (phase 6): the announcing sender's key is not the certified key. The other
   * phase 6 refusals carry attestation/relying-party's codes: ERR_ATTESTATION_CHAIN,
   * ERR_ENCLAVE_CERT_EXPIRED, ERR_ENCLAVE_CERT_OUTLIVES_POLICY, ERR_MEASUREMENT_NOT_ALLOWED and
   * ERR_POLICY_HASH_MISMATCH (above).
   */
  ENCLAVE_KEY_MISMATCH: 'ERR_ENCLAVE_KEY_MISMATCH',
  /** A sealed upload chunk or result does not open in its exact context (computation, session, path, place). */
  SEAL_OPEN_FAILED: 'ERR_SEAL_OPEN_FAILED',
  /** The verifier: the CSR is not for the key that signed the evidence request. */
  ATTESTATION_CSR_MISMATCH: 'ERR_ATTESTATION_CSR_MISMATCH',
  /** Attestation failed at the verifier (the verifier's own code is in `details.cause`). */
  ATTESTATION_FAILED: 'ERR_ATTESTATION_FAILED',
  /** The host could not start an enclave worker. */
  LAUNCH_FAILED: 'ERR_LAUNCH_FAILED',
  /** A reply did not arrive in time. */
  TIMEOUT: 'ERR_TIMEOUT',
  /** A pipeline name that the policy does not define. */
  PIPELINE_NOT_FOUND: 'ERR_PIPELINE_NOT_FOUND',
  /** A replayed machine behaves differently from its recording. */
  REPLAY_DIVERGENCE: 'ERR_REPLAY_DIVERGENCE',
} as const satisfies Record<string, ErrorCode>;

export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/** A refusal of the provisioning protocol, locally or as received in an `error` reply. */
export class ProtocolError extends VcError {
  constructor(
    code: ErrorCode,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(code, message, options);
  }
}
