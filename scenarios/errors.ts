// Errors of the scenario runner, with stable codes (the `scenario` family of protocol/error-codes.ts).
import { type ErrorCodeOf, VcError } from '../protocol/index.js';

export class ScenarioError extends VcError {
  constructor(
    code: ErrorCodeOf<'scenario'>,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(code, message, options);
  }
}
