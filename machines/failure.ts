// How a machine ends badly: a final `failed` (or `refused`, `rejected`) state whose context carries
// a typed reason with a stable ERR_* code.
import type { ErrorCode, WireError } from '../protocol/index.js';

export type Failure = WireError;

export function failure(
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
): Failure {
  return details === undefined ? { code, message } : { code, message, details };
}
