// Errors of the identity helpers (keys and X.509 certificates). Callers match on `code`.
import { VcError, type ErrorCode } from '../errors.js';

export type IdentityErrorCode =
  | 'ERR_IDENTITY_BAD_PEM'
  | 'ERR_IDENTITY_BAD_CERTIFICATE'
  | 'ERR_IDENTITY_BAD_KEY'
  | 'ERR_IDENTITY_UNSUPPORTED_KEY'
  | 'ERR_IDENTITY_KEY_MISMATCH'
  | 'ERR_IDENTITY_CERTIFICATE_EXPIRED'
  | 'ERR_IDENTITY_CERTIFICATE_NOT_YET_VALID'
  | 'ERR_IDENTITY_BAD_NAME'
  | 'ERR_IDENTITY_BAD_VALIDITY'
  | 'ERR_IDENTITY_FILE';

export class IdentityError extends VcError {
  constructor(
    code: IdentityErrorCode & ErrorCode,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(code, message, options);
  }
}
