// Public API of attestation/ (what the enclave worker, the verifier service and participants use).
export { AttestationError } from './errors.js';
export type { EvidenceBinding } from './binding.js';
export { nitroUserData, psaBindingNonce } from './binding.js';
export {
  PLATFORMS,
  isPlatformName,
  type AppraisalOptions,
  type AppraisedEvidence,
  type EndorsedKey,
  type PlatformName,
  type PlatformPlugin,
} from './platforms/types.js';
export { pluginFor, plugins } from './platforms/index.js';
export { AWS_NITRO_ROOT_PEM } from './platforms/nitro-root.js';
export { endorsedKeyFromSpki, endorsedKeysFromPem, instanceIdOf } from './endorsement-keys.js';
export { evidenceBytes, verifyEvidence, type OfflineVerifyOptions } from './offline-verify.js';
export { caFromPem, createVerifierCa, type CaIdentity, type NewCa } from './ca/ca-identity.js';
export {
  ENCLAVE_EXTENSION_OID,
  decodeEnclaveExtension,
  encodeEnclaveExtension,
  enclaveInfoOf,
  type EnclaveAttestationInfo,
} from './ca/enclave-extension.js';
export { CSR_HPKE_KEY_OID, hpkeKeyFromCsr } from './ca/csr-hpke.js';
export { issueEnclaveCertificate, parseEnclaveCsr } from './ca/issue-enclave-cert.js';
export {
  checkEnclaveCertificate,
  type AttestedEnclave,
  type RelyingPartyPolicy,
} from './relying-party.js';
export {
  DEFAULT_VERIFIER_CONFIG,
  Verifier,
  type Challenge,
  type ChallengeRequest,
  type EvidenceSubmission,
  type IssuedCertificate,
  type PolicyResolver,
  type VerifierConfig,
  type VerifierDeps,
} from './verifier/verifier.js';
export { Registry, type EndorsementRecord, type ReferenceRecord } from './verifier/registry.js';
export { readSession, type SessionRecord, type SessionState } from './verifier/sessions.js';
export { systemClock, systemRandom, type Clock, type RandomBytes } from './verifier/deps.js';
export type { StateStore, StoreEntry } from './store/state-store.js';
export { MemoryStore } from './store/memory-store.js';
export { FileStore } from './store/file-store.js';
export { DEFAULT_VERIFIER_BUCKET, KvStore } from './store/kv-store.js';
export { DEFAULT_STORE_FILE, openStateStore, type StoreLocation } from './store/open-store.js';
export { openVerifier, type OpenVerifierOptions } from './verifier/open-verifier.js';
