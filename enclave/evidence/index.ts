// Public API of enclave/evidence: what the enclave worker and its launcher use in phase 3.
export { createSimAttester, type Attester } from './attester.js';
export { buildEnclaveCsr, generateEnclaveKeys, type EnclaveKeys } from './enclave-keys.js';
export { EvidenceError } from './errors.js';
export {
  DEFAULT_RUNTIME_ROOT,
  measureRuntime,
  type MeasuredFile,
  type RuntimeMeasurement,
} from './measurement.js';
export { prepareAttestation, type PreparedAttestation } from './prepare.js';
export {
  SIM_KEY_ENV,
  generateSimAttestationKey,
  loadSimAttestationKey,
  simKeyFromPem,
  type SimAttestationKey,
} from './sim-attestation-key.js';
