// The nonce claim the verifier expects from each platform (see ../binding.ts).
import {
  ccaRealmChallenge,
  psaBindingNonce,
  snpReportData,
  type EvidenceBinding,
} from '../binding.js';
import type { PlatformName } from '../platforms/types.js';

export function bindingNonce(platform: PlatformName, binding: EvidenceBinding): Uint8Array {
  if (platform === 'psa') return psaBindingNonce(binding);
  // TDX/SGX: the plugin compares report_data with this hash followed by 32 zero bytes.
  if (platform === 'tdx' || platform === 'sgx') return psaBindingNonce(binding);
  if (platform === 'cca') return ccaRealmChallenge(binding);
  if (platform === 'sevsnp') return snpReportData(binding);
  return binding.nonce;
}
