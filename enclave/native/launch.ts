// At launch, before any party is told the enclave is ready: a policy whose native modules this
// platform cannot serve is refused with a clear code rather than failing at the first use.
import type { Policy } from '../../protocol/index.js';
import { NativeModuleUnknownError, NativeSandboxUnavailableError } from './errors.js';
import { missingSandboxTool } from './sandbox.js';
import { staticService } from './static-services.js';

/**
 * Throws ERR_NATIVE_MODULE_UNKNOWN for a static module the runtime does not provide, and
 * ERR_NATIVE_SANDBOX_UNAVAILABLE when the policy has dynamic or provisioned modules and the native
 * sandbox (bubblewrap, prlimit, GNU time) is missing. `missing` is for tests.
 */
export function checkNativeModules(
  policy: Pick<Policy, 'nativeModules'>,
  missing: () => string | undefined = missingSandboxTool,
): void {
  for (const { name, type } of policy.nativeModules) {
    if (type.kind === 'static') {
      if (!staticService(name))
        throw new NativeModuleUnknownError(
          name,
          'no such static module (this runtime provides "Counter mode AES Service", "AEAD Service" and "Postcard Service")',
        );
      continue;
    }
    const lacking = missing();
    if (lacking !== undefined) throw new NativeSandboxUnavailableError(name, lacking);
  }
}
