// Errors of the identity helpers (keys and X.509 certificates). Callers match on `code`; the codes
// are the `identity` family of protocol/error-codes.ts.
import type { ErrorCodeOf } from '../error-codes.js';
import { VcError } from '../errors.js';

export class IdentityError extends VcError {
  constructor(
    code: ErrorCodeOf<'identity'>,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(code, message, options);
  }
}
