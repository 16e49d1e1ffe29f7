// The public face of protocol/: what other folders may import from it (docs/architecture.md).
export { concatBytes, joinBytes } from './bytes.js';
export { isErrorCode } from './error-codes.js';
export type { ErrorCode, ErrorCodeOf } from './error-codes.js';
export { UsageError, VcError, isVcError, toVcError } from './errors.js';
export type { WireError } from './errors.js';
export { sha256Hex } from './hash.js';
export {
  PostcardIncomplete,
  PostcardMalformed,
  PostcardReader,
  PostcardWriter,
  postcardF64TupleVec,
  postcardF64s,
  postcardLength,
  postcardString,
  postcardVarint,
  readPostcardF64TupleVec,
} from './postcard.js';
export { jsonString, ryuF64 } from './serde-json.js';
export {
  certificateFingerprint,
  certificateToPem,
  commonNameOf,
  issueCertificate,
  parseCertificateDer,
  parseCertificatePem,
} from './identity/certificates.js';
export { createIdentity, loadIdentity, writeIdentityFiles } from './identity/identity.js';
export type { GeneratedIdentity, Identity } from './identity/identity.js';
export { generateKeyPair, importPrivateKeyPem, publicKeyDerOfPrivatePem } from './identity/keys.js';
export type { KeyAlgorithmName } from './identity/keys.js';
export { x509 } from './identity/x509-provider.js';
export {
  BODY_SCHEMAS,
  LIVENESS_SCHEMAS,
  MESSAGE_KINDS,
  REPLY_KIND,
  TRACE_BATCH_MAX,
} from './messages/bodies.js';
export type {
  LivenessAnswer,
  AttestChallengeBody,
  AttestEvidenceBody,
  AttestStartBody,
  BodyOf,
  BulkRef,
  ChunkInfo,
  ComputeDoneBody,
  EnclaveReadyBody,
  HostLaunchBody,
  HostLaunchedBody,
  MessageKind,
  ProvisionDataBody,
  ProvisionMode,
  RequestKind,
  ResultDataBody,
  TraceTransitionBody,
} from './messages/bodies.js';
export { ProtocolError } from './messages/errors.js';
export {
  DEFAULT_NAMESPACE,
  Subjects,
  computationIdFor,
  computationOfSubject,
  isNamespace,
  subjectMatches,
  subjectPatterns,
  subjectShape,
  subjectsFor,
} from './messages/subjects.js';
export { validateBody } from './messages/validate.js';
export {
  arrayOf,
  bytes,
  described,
  jsonSchemaOf,
  literal,
  obj,
  oneOf,
  str,
  uint,
} from './messages/schema.js';
export type { Check, Infer, JsonSchema } from './messages/schema.js';
export { describePrincipals, formatPrincipalTable } from './policy/describe.js';
export { PolicyError } from './policy/errors.js';
export { readExpiry } from './policy/expiry.js';
export { asObject } from './policy/fields.js';
export {
  DEFAULT_MAX_MEMORY_MIB,
  generatePolicyText,
  nitroHashFromPcrFile,
  parseTimepoint,
  policyFromSpec,
  policyTextFromSpec,
} from './policy/generate.js';
export type { GeneratePolicyInput, PolicySpec } from './policy/generate.js';
export { loadPolicyFile, parsePolicy, policyHash } from './policy/parse-policy.js';
export {
  BadPathError,
  PSEUDO_FILES,
  isPseudoFile,
  normalizePath,
  resolveBeneath,
  splitPath,
} from './policy/paths.js';
export type { PseudoFile } from './policy/paths.js';
export { parsePipeline, pipelinePrograms, printPipeline } from './policy/pipeline.js';
export { rightsAt, rightsTableFor } from './policy/rights.js';
export { acceptedRuntimeHashes, isRuntimeAccepted } from './policy/runtime-hashes.js';
export { serializePolicyJson } from './policy/serialize.js';
export { parseStrictJson } from './policy/strict-json.js';
export type {
  FileRight,
  LoadedPolicy,
  PipelineExpr,
  Policy,
  PolicyExtensions,
  Principal,
  RightsTable,
} from './policy/types.js';
export {
  RIGHTS_ALL,
  RIGHTS_EXECUTE,
  RIGHTS_READ,
  RIGHTS_WRITE,
  WasiRight,
  hasRights,
} from './policy/wasi-rights.js';
