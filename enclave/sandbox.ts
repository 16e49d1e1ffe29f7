// Public API of the enclave sandbox (what the enclave worker and `vc run` build on): the virtual
// file system, running programs and pipelines in worker threads within limits, and the errors.
export { Vfs, type VfsEntry, type VfsOptions } from './vfs/vfs.js';
export { rightsAt, preopenDirs, allRights } from './vfs/rights.js';
export { normalizePath, PSEUDO_FILES, type PseudoFile } from './vfs/paths.js';
export {
  runProgram,
  prewarm,
  DEFAULT_LIMITS,
  type RunLimits,
  type RunOptions,
  type RunResult,
} from './runner/run-program.js';
export {
  runPipeline,
  runProgramFile,
  type PipelineOptions,
  type PipelineResult,
} from './runner/run-pipeline.js';
export { checkModule, WASI_FUNCTIONS, VERACRUZ_FUNCTIONS } from './runner/check-module.js';
export { shutdownWorkers } from './runner/worker-pool.js';
export {
  AccessDeniedError,
  BadPathError,
  ExecutionTimeoutError,
  FileNotFoundError,
  ForbiddenImportError,
  GuestTrapError,
  InvalidModuleError,
  MemoryLimitError,
  QuotaExceededError,
} from './errors.js';
