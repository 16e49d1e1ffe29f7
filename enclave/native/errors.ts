// Errors of native modules (docs/policy.md#native-modules, docs/sandbox.md#native-modules).
import { VcError } from '../../protocol/index.js';

/** The policy needs the native sandbox and this platform has none. */
export class NativeSandboxUnavailableError extends VcError {
  constructor(module: string, missing: string) {
    super(
      'ERR_NATIVE_SANDBOX_UNAVAILABLE',
      `native module "${module}" needs the native sandbox, and this platform has no ${missing} ` +
        "(install Debian's bubblewrap, or remove the dynamic and provisioned modules from the policy)",
      { details: { module, missing } },
    );
  }
}

/** A static module the runtime does not provide, or a module set up wrongly. */
export class NativeModuleUnknownError extends VcError {
  constructor(module: string, why: string) {
    super('ERR_NATIVE_MODULE_UNKNOWN', `native module "${module}": ${why}`, {
      details: { module },
    });
  }
}

/** A service's request is malformed (the guest's write fails with EINVAL). */
export class NativeRequestError extends VcError {
  constructor(module: string, why: string) {
    super('ERR_NATIVE_MODULE_REQUEST', `native module "${module}": ${why}`, {
      details: { module },
    });
  }
}

type LimitCode =
  | 'ERR_NATIVE_MODULE_TIMEOUT'
  | 'ERR_NATIVE_MODULE_MEMORY_LIMIT'
  | 'ERR_NATIVE_MODULE_FILE_SIZE'
  | 'ERR_NATIVE_MODULE_FAILED';

/**
 * A native process was stopped at a limit or could not run: the execution that invoked it ends
 * with this code and nothing it changed persists.
 */
export class NativeModuleStoppedError extends VcError {
  constructor(
    code: LimitCode,
    module: string,
    what: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, `native module "${module}" ${what}`, { details: { module, ...details } });
  }
}
