// Phase 3 in one call for the enclave worker: fresh keys, a CSR, and evidence binding
// (nonce, SHA-256(CSR), measurement, policy hash).
import { sha256, type EvidenceBinding } from '../../attestation/index.js';
import type { Attester } from './attester.js';
import { buildEnclaveCsr, generateEnclaveKeys, type EnclaveKeys } from './enclave-keys.js';

export interface PreparedAttestation {
  readonly keys: EnclaveKeys;
  /** DER PKCS#10. */
  readonly csr: Uint8Array;
  readonly evidence: Uint8Array;
  readonly binding: EvidenceBinding;
}

export async function prepareAttestation(params: {
  readonly attester: Attester;
  readonly nonce: Uint8Array;
  /** SHA-256 of the policy file (32 bytes). */
  readonly policyHash: Uint8Array;
  /** Lowercase hex runtime measurement (measureRuntime().measurement). */
  readonly measurement: string;
  readonly keys?: EnclaveKeys;
}): Promise<PreparedAttestation> {
  const keys = params.keys ?? (await generateEnclaveKeys());
  const csr = await buildEnclaveCsr(keys);
  const binding: EvidenceBinding = {
    nonce: Uint8Array.from(params.nonce),
    csrHash: sha256(csr),
    policyHash: params.policyHash,
  };
  const evidence = await params.attester.attest(binding, params.measurement);
  return { keys, csr, evidence, binding };
}
