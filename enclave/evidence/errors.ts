// Refusals of evidence production inside the enclave and its launcher (the `evidence` family of
// protocol/error-codes.ts).
import { type ErrorCodeOf, VcError } from '../../protocol/index.js';

export class EvidenceError extends VcError {
  constructor(code: ErrorCodeOf<'evidence'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
