// Policy defects. Each has its own stable code and the JSON path of the offending field
// (`details.path`, e.g. `$.identities[1].certificate`), so tools can point at it. The codes are the
// `policy` family of protocol/error-codes.ts.
import type { ErrorCodeOf } from '../error-codes.js';
import { VcError } from '../errors.js';

export class PolicyError extends VcError {
  /** JSON path of the offending field (`$` for the whole document). */
  readonly path: string;

  constructor(
    code: ErrorCodeOf<'policy'>,
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
