// How each platform's evidence binds the CSR and the policy to the verifier's challenge
// (phase 3, docs/architecture.md). The enclave builds evidence with these and the verifier checks with them.
//   sim:   nonce claim = challenge nonce; explicit csr-hash and policy-hash claims.
//   nitro: nonce = challenge nonce; user_data = SHA-256(CSR) || policy hash (64 bytes).
//   psa:   the token has one 32/48/64-byte challenge claim and no free field, so its nonce claim is
//          SHA-256(challenge nonce || SHA-256(CSR) || policy hash).
//   cca:   the realm token's 64-byte realm challenge is
//          SHA-512(challenge nonce || SHA-256(CSR) || policy hash).
//   sevsnp: the report's one free field, report_data (64 bytes), is
//          SHA-512(challenge nonce || SHA-256(CSR) || policy hash).
//   tdx, sgx: report_data (64 bytes, covered by the quote signature) is the psa nonce's 32-byte hash
//          followed by 32 zero bytes (dcapReportData).
import { concatBytes, sha2, sha256 } from './bytes.js';

export interface EvidenceBinding {
  readonly nonce: Uint8Array;
  /** SHA-256 of the DER CSR. */
  readonly csrHash: Uint8Array;
  /** SHA-256 of the policy file (32 bytes). */
  readonly policyHash: Uint8Array;
}

export function psaBindingNonce(binding: EvidenceBinding): Uint8Array {
  return sha256(concatBytes(binding.nonce, binding.csrHash, binding.policyHash));
}

/** TDX and SGX report_data: the PSA binding hash, then 32 zero bytes. */
export function dcapReportData(binding: EvidenceBinding): Uint8Array {
  return concatBytes(psaBindingNonce(binding), new Uint8Array(32));
}

export function nitroUserData(binding: EvidenceBinding): Uint8Array {
  return concatBytes(binding.csrHash, binding.policyHash);
}

export function ccaRealmChallenge(binding: EvidenceBinding): Uint8Array {
  return sha2('sha512', concatBytes(binding.nonce, binding.csrHash, binding.policyHash));
}

/** SEV-SNP report_data: the same 64-byte digest as the CCA realm challenge. */
export function snpReportData(binding: EvidenceBinding): Uint8Array {
  return ccaRealmChallenge(binding);
}
