// The nonce claim the verifier expects from each platform (see ../binding.ts).
import { psaBindingNonce, type EvidenceBinding } from '../binding.js';
import type { PlatformName } from '../platforms/types.js';

export function bindingNonce(platform: PlatformName, binding: EvidenceBinding): Uint8Array {
  return platform === 'psa' ? psaBindingNonce(binding) : binding.nonce;
}
