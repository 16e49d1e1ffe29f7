// The provisioning protocol's refusals. Each has a stable code that travels in an `error` reply as
// `{code, message, details}`; callers (participants, tests, the CLI) match on `code`. The protocol's
// own codes are the `protocol` family of protocol/error-codes.ts; a refusal may also carry another
// area's code (a participant's phase 6 check refuses with the attestation family's
// ERR_ATTESTATION_CHAIN, ERR_ENCLAVE_CERT_EXPIRED, ERR_MEASUREMENT_NOT_ALLOWED, ...).
import type { ErrorCode } from '../error-codes.js';
import { VcError } from '../errors.js';

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
