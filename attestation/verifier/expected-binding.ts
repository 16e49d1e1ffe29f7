// The nonce claim the verifier expects from each platform (see ../binding.ts).
import { psaBindingNonce, type EvidenceBinding } from '../binding.js';
import type { PlatformName } from '../platforms/types.js';

export function bindingNonce(platform: PlatformName, binding: EvidenceBinding): Uint8Array {
  // TDX/SGX: the plugin compares report_data with this hash followed by 32 zero bytes.
  return platform === 'psa' || platform === 'tdx' || platform === 'sgx'
    ? psaBindingNonce(binding)
    : binding.nonce;
}
