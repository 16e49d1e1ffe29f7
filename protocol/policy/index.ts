// Public API of protocol/policy: parse and validate Veracruz policies, hash them, normalise paths,
// look up rights, parse and print pipelines, generate policies. Shapes are in types.ts, WASI bits
// in wasi-rights.ts.
export type {
  FileRight,
  LoadedPolicy,
  PipelineExpr,
  Platform,
  Policy,
  PolicyExtensions,
  PolicyFileHash,
  PolicyIdentity,
  PolicyNativeModule,
  PolicyPipeline,
  PolicyProgram,
  Principal,
  RightsTable,
} from './types.js';
export {
  RIGHTS_ALL,
  RIGHTS_EXECUTE,
  RIGHTS_READ,
  RIGHTS_WRITE,
  WasiRight,
  hasRights,
} from './wasi-rights.js';
export { PolicyError } from './errors.js';
export {
  CIPHERSUITES,
  MAX_POLICY_BYTES,
  POLICY_FIELDS,
  loadPolicyFile,
  parsePolicy,
  policyHash,
  type ParsePolicyOptions,
} from './parse-policy.js';
export {
  BadPathError,
  PSEUDO_FILES,
  isPseudoFile,
  normalizePath,
  type PseudoFile,
} from './paths.js';
export { formatRights, parseRights, rightNames, rightsAt, rightsTableFor } from './rights.js';
export { normalizePipeline, parsePipeline, pipelinePrograms, printPipeline } from './pipeline.js';
export { acceptedRuntimeHashes, isRuntimeAccepted } from './runtime-hashes.js';
export { describePrincipals, formatPrincipalTable, type PrincipalRow } from './describe.js';
export { EXTENSIONS_FIELD } from './extensions.js';
export {
  generatePolicyText,
  nitroHashFromPcrFile,
  parseCapability,
  parseTimepoint,
  type GeneratePolicyInput,
  type Timepoint,
} from './generate.js';
export { serializePolicyJson } from './serialize.js';
