// Errors of the scenario runner, with stable codes (the `scenario` family of protocol/error-codes.ts).
import type { ErrorCodeOf } from '../protocol/error-codes.js';
import { VcError } from '../protocol/errors.js';

export class ScenarioError extends VcError {
  constructor(
    code: ErrorCodeOf<'scenario'>,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(code, message, options);
  }
}
