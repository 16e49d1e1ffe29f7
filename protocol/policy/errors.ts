// Policy defects. Each has its own stable code and the JSON path of the offending field
// (`details.path`, e.g. `$.identities[1].certificate`), so tools can point at it.
import { VcError } from '../errors.js';

export type PolicyErrorCode =
  | 'ERR_POLICY_TOO_LARGE'
  | 'ERR_POLICY_NOT_UTF8'
  | 'ERR_POLICY_BAD_JSON'
  | 'ERR_POLICY_DUPLICATE_KEY'
  | 'ERR_POLICY_TOO_DEEP'
  | 'ERR_POLICY_LEGACY_FORMAT'
  | 'ERR_POLICY_MISSING_FIELD'
  | 'ERR_POLICY_WRONG_TYPE'
  | 'ERR_POLICY_OUT_OF_RANGE'
  | 'ERR_POLICY_STRING_TOO_LONG'
  | 'ERR_POLICY_TOO_MANY_ENTRIES'
  | 'ERR_POLICY_NO_IDENTITIES'
  | 'ERR_POLICY_DUPLICATE_IDENTITY'
  | 'ERR_POLICY_DUPLICATE_CERTIFICATE'
  | 'ERR_POLICY_BAD_CERTIFICATE'
  | 'ERR_POLICY_CERTIFICATE_EXPIRED'
  | 'ERR_POLICY_CERTIFICATE_NOT_YET_VALID'
  | 'ERR_POLICY_UNSUPPORTED_KEY'
  | 'ERR_POLICY_PROXY_CERT_NOT_CA'
  | 'ERR_POLICY_BAD_RIGHTS'
  | 'ERR_POLICY_BAD_RIGHTS_PATH'
  | 'ERR_POLICY_DUPLICATE_RIGHTS_PATH'
  | 'ERR_POLICY_BAD_PROGRAM_PATH'
  | 'ERR_POLICY_BAD_FILE_PATH'
  | 'ERR_POLICY_DUPLICATE_PROGRAM'
  | 'ERR_POLICY_DUPLICATE_PIPELINE'
  | 'ERR_POLICY_BAD_PIPELINE'
  | 'ERR_POLICY_PIPELINE_UNKNOWN_PROGRAM'
  | 'ERR_POLICY_BAD_HASH'
  | 'ERR_POLICY_DUPLICATE_FILE_HASH'
  | 'ERR_POLICY_NO_RUNTIME_HASH'
  | 'ERR_POLICY_BAD_EXPIRY'
  | 'ERR_POLICY_EXPIRY_PASSED'
  | 'ERR_POLICY_UNKNOWN_EXECUTION_STRATEGY'
  | 'ERR_POLICY_UNKNOWN_CIPHERSUITE'
  | 'ERR_POLICY_BAD_URL'
  | 'ERR_POLICY_BAD_MEMORY_LIMIT'
  | 'ERR_POLICY_BAD_NATIVE_MODULE'
  | 'ERR_POLICY_BAD_EXTENSION'
  | 'ERR_POLICY_FILE';

export class PolicyError extends VcError {
  /** JSON path of the offending field (`$` for the whole document). */
  readonly path: string;

  constructor(
    code: PolicyErrorCode,
    path: string,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(code, `${path}: ${message}`, {
      details: { path, ...options?.details },
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
    });
    this.path = path;
  }
}

/** `$.a` + `b` -> `$.a.b`; `$.a` + 2 -> `$.a[2]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
    ? `${path}.${key}`
    : `${path}[${JSON.stringify(key)}]`;
}
