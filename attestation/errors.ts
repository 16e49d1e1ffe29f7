// Attestation refusals. Each failure has its own stable code so that callers (the verifier machine,
// participants, `vc attest verify`) can tell a forged signature from a stale nonce without reading text.
import { VcError, type ErrorCode } from '../protocol/errors.js';

export type AttestationErrorCode =
  /** Evidence bytes are not the expected CBOR/COSE shape. */
  | 'ERR_EVIDENCE_MALFORMED'
  /** COSE algorithm not on the platform's allow list. */
  | 'ERR_EVIDENCE_ALGORITHM'
  /** The evidence signature does not verify with the endorsed key. */
  | 'ERR_EVIDENCE_SIGNATURE'
  /** No endorsement (platform key or root) is known for this evidence. */
  | 'ERR_ENDORSEMENT_UNKNOWN'
  /** The platform certificate chain does not lead to the pinned root. */
  | 'ERR_EVIDENCE_CHAIN'
  /** A platform certificate is not valid at the verification time. */
  | 'ERR_EVIDENCE_CERT_EXPIRED'
  /** The nonce in the evidence is not the expected one. */
  | 'ERR_ATTESTATION_NONCE_MISMATCH'
  /** The challenge expired before the evidence arrived. */
  | 'ERR_ATTESTATION_CHALLENGE_EXPIRED'
  /** The challenge was already used (or the session already ended). */
  | 'ERR_ATTESTATION_NONCE_REUSED'
  /** No challenge with this session id. */
  | 'ERR_ATTESTATION_SESSION_UNKNOWN'
  /** The evidence does not bind the CSR that came with it. */
  | 'ERR_ATTESTATION_CSR_MISMATCH'
  /** The evidence does not bind the policy hash that came with it. */
  | 'ERR_ATTESTATION_POLICY_BINDING'
  /** The CSR itself is malformed or its self-signature fails. */
  | 'ERR_ATTESTATION_CSR_INVALID'
  /** A measurement is not among the reference values. */
  | 'ERR_MEASUREMENT_NOT_ALLOWED'
  /** Debug evidence (e.g. Nitro all-zero PCRs) and debug is not allowed. */
  | 'ERR_ATTESTATION_DEBUG'
  /** Simulated (`sim`) evidence and the verifier is in strict mode. */
  | 'ERR_ATTESTATION_SIMULATED'
  /** Unknown or disabled platform. */
  | 'ERR_ATTESTATION_PLATFORM'
  /** The policy's enclave_cert_expiry has passed. */
  | 'ERR_POLICY_EXPIRED'
  /** Relying-party check: the enclave chain does not lead to proxy_service_cert. */
  | 'ERR_ATTESTATION_CHAIN'
  /** Relying-party check: the enclave certificate is not valid now. */
  | 'ERR_ENCLAVE_CERT_EXPIRED'
  /** Relying-party check: the enclave certificate is valid after the policy expires. */
  | 'ERR_ENCLAVE_CERT_OUTLIVES_POLICY'
  /** Relying-party check: the enclave certificate lacks our extension or has a bad profile. */
  | 'ERR_ENCLAVE_CERT_INVALID'
  /** Relying-party check: the policy hash in the certificate is not ours. */
  | 'ERR_POLICY_HASH_MISMATCH'
  /** The verifier does not know the policy (no expiry given and no resolver). */
  | 'ERR_POLICY_UNKNOWN'
  /** Reading or writing verifier state failed. */
  | 'ERR_VERIFIER_STORE'
  /** A compare-and-set on verifier state lost a race (the entry changed meanwhile). */
  | 'ERR_VERIFIER_STORE_CONFLICT';

export class AttestationError extends VcError {
  constructor(
    code: AttestationErrorCode,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(code satisfies ErrorCode, message, options);
  }
}

export function fail(
  code: AttestationErrorCode,
  message: string,
  details?: Record<string, unknown>,
): never {
  throw new AttestationError(code, message, details ? { details } : undefined);
}
