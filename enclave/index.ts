// The public face of enclave/: what other folders may import from it (docs/architecture.md).
export { clearComponentCaches, prepareComponent, runComponent } from './component/run-component.js';
export { FileNotFoundError } from './errors.js';
export { createSimAttester } from './evidence/attester.js';
export type { Attester } from './evidence/attester.js';
export { buildEnclaveCsr, generateEnclaveKeys } from './evidence/enclave-keys.js';
export type { EnclaveKeys } from './evidence/enclave-keys.js';
export { measureRuntime } from './evidence/measurement.js';
export {
  NODE_ESM_BANNER,
  buildRuntimeBundle,
  bundledWorkersPlugin,
  ensureRuntimeBundle,
  isBundleStale,
  writeBundleInputs,
} from './evidence/runtime-bundle.js';
export { prepareAttestation } from './evidence/prepare.js';
export {
  SIM_KEY_ENV,
  generateSimAttestationKey,
  loadSimAttestationKey,
  simKeyFromPem,
} from './evidence/sim-attestation-key.js';
export type { SimAttestationKey } from './evidence/sim-attestation-key.js';
export { checkNativeModules } from './native/launch.js';
export { provisionedModuleAt } from './native/provisioned.js';
export { loadMount, mountRights, parseDirMount, saveMount } from './runner/host-dirs.js';
export type { DirMount } from './runner/host-dirs.js';
export { pipelineRights, policyRunSettings } from './runner/policy-settings.js';
export type { PolicyRunSettings } from './runner/policy-settings.js';
export { DEFAULT_LIMITS } from './runner/run-options.js';
export type { RunLimits, RunOptions, RunResult } from './runner/run-options.js';
export { runPipeline } from './runner/run-pipeline.js';
export { prewarm, runProgram } from './runner/run-program.js';
export { shutdownWorkers } from './runner/worker-pool.js';
export { allRights } from './vfs/rights.js';
export { Vfs } from './vfs/vfs.js';
