// Errors of the scenario runner, with stable codes.
import { VcError } from '../protocol/errors.js';

export type ScenarioErrorCode = 'ERR_SCENARIO_UNKNOWN' | 'ERR_SCENARIO_PROCESS';

export class ScenarioError extends VcError {
  constructor(
    code: ScenarioErrorCode,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(code, message, options);
  }
}
