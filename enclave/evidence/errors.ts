// Refusals of evidence production inside the enclave and its launcher.
import { VcError } from '../../protocol/errors.js';

export type EvidenceErrorCode =
  /** No sim platform attestation key was provided to the launcher. */
  | 'ERR_SIM_KEY_MISSING'
  /** The sim platform attestation key is not an EC P-256 PKCS#8 PEM key. */
  | 'ERR_SIM_KEY_INVALID';

export class EvidenceError extends VcError {
  constructor(code: EvidenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
