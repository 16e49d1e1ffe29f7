// Errors of the sandbox: the virtual file system, the WASI host and the runner. Callers switch on
// `code`; messages name paths and limits but never file contents. A malformed path, or one naming
// the wrong kind of node, is protocol/policy/paths.ts's BadPathError (ERR_BAD_PATH).
import { VcError } from '../protocol/index.js';

/** The principal's rights do not allow this operation on this path. */
export class AccessDeniedError extends VcError {
  constructor(path: string, needed: string) {
    super('ERR_ACCESS_DENIED', `no ${needed} right on ${path}`, { details: { path, needed } });
  }
}

export class FileNotFoundError extends VcError {
  constructor(path: string) {
    super('ERR_FILE_NOT_FOUND', `no such file: ${path}`, { details: { path } });
  }
}

/**
 * Copy-back (`vc run --output`) met a symbolic link in the host folder, where a file or a folder of
 * the output would go: it is never followed (the write could land outside the folder) nor replaced.
 */
export class OutputSymlinkError extends VcError {
  constructor(guestPath: string, hostPath: string) {
    super('ERR_OUTPUT_SYMLINK', `${hostPath} is a symbolic link: ${guestPath} not copied back`, {
      details: { guestPath, hostPath },
    });
  }
}

/** Copy-back of a guest path the host folder cannot hold: nothing is written. */
export class OutputNameError extends VcError {
  constructor(guestPath: string, reason: string) {
    super('ERR_OUTPUT_NAME', `${guestPath} cannot be copied back: ${reason}`, {
      details: { guestPath, reason },
    });
  }
}

/** The virtual file system's byte quota would be exceeded. */
export class QuotaExceededError extends VcError {
  constructor(quotaBytes: number, wantedBytes: number) {
    super(
      'ERR_QUOTA_EXCEEDED',
      `storage quota of ${quotaBytes} bytes exceeded (${wantedBytes} wanted)`,
      {
        details: { quotaBytes, wantedBytes },
      },
    );
  }
}

/** The program ran past its wall-clock budget and its worker was terminated. */
export class ExecutionTimeoutError extends VcError {
  constructor(timeoutMs: number) {
    super('ERR_EXECUTION_TIMEOUT', `execution stopped after its budget of ${timeoutMs} ms`, {
      details: { timeoutMs },
    });
  }
}

/** The guest trapped (unreachable, out-of-bounds access, stack overflow, ...). */
export class GuestTrapError extends VcError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('ERR_GUEST_TRAP', `guest trapped: ${message}`, {
      details: { trap: message, ...details },
    });
  }
}

/** The module imports something other than `wasi_snapshot_preview1` / `veracruz_si` functions. */
export class ForbiddenImportError extends VcError {
  constructor(module: string, name: string, why: string) {
    super('ERR_FORBIDDEN_IMPORT', `import ${module}.${name} refused: ${why}`, {
      details: { module, name },
    });
  }
}

/** Not a valid WebAssembly module, or one that cannot run as a WASI command. */
export class InvalidModuleError extends VcError {
  constructor(message: string) {
    super('ERR_INVALID_MODULE', message);
  }
}

/** The module needs more memory than `max_memory_mib` allows before it even starts. */
export class MemoryLimitError extends VcError {
  constructor(neededPages: number, maxPages: number) {
    super(
      'ERR_MEMORY_LIMIT',
      `module needs at least ${neededPages} pages of 64 KiB but the limit is ${maxPages}`,
      { details: { neededPages, maxPages } },
    );
  }
}

/** What an execution's resource budget counts besides memory, time and storage bytes. */
export type BudgetedResource =
  'table-entries' | 'output-bytes' | 'open-files' | 'directory-depth' | 'name-bytes';

/**
 * A resource of the execution's budget (run-options.ts) would be exceeded. Inside a guest's WASI
 * call the host turns it into an errno (EMFILE, ENAMETOOLONG), except for output, which ends the run.
 */
export class ResourceLimitError extends VcError {
  readonly resource: BudgetedResource;
  constructor(resource: BudgetedResource, limit: number, wanted: number) {
    super('ERR_RESOURCE_LIMIT', `${resource} limit of ${limit} exceeded (${wanted} wanted)`, {
      details: { resource, limit, wanted },
    });
    this.resource = resource;
  }
}
