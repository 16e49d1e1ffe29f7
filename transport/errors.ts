// Transport refusals. Each has a stable code; callers (and tests) switch on `code`, never on the
// message. Messages never include key material or plaintext. The codes are the `transport` family
// of protocol/error-codes.ts.
import { type ErrorCodeOf, VcError } from '../protocol/index.js';

export class TransportError extends VcError {
  constructor(
    code: ErrorCodeOf<'transport'>,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(code, message, options);
  }
}
