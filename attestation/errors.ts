// Attestation refusals. Each failure has its own stable code so that callers (the verifier machine,
// participants, `vc attest verify`) can tell a forged signature from a stale nonce without reading text.
// The codes and their meanings are the `attestation` family of protocol/error-codes.ts.
import { type ErrorCodeOf, VcError } from '../protocol/index.js';

export class AttestationError extends VcError {
  constructor(
    code: ErrorCodeOf<'attestation'>,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export function fail(
  code: ErrorCodeOf<'attestation'>,
  message: string,
  details?: Record<string, unknown>,
): never {
  throw new AttestationError(code, message, details ? { details } : undefined);
}
