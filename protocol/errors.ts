// One error base class with a stable `code` (jose-style). Callers switch on `code`, never on the
// message text. Across the wire an error travels as `{code, message, details}`.
// Each area defines its own small subclasses next to its code (protocol/policy/errors.ts, ...); the
// codes themselves are all in protocol/error-codes.ts.
import { isErrorCode, type ErrorCode } from './error-codes.js';

export interface WireError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class VcError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }

  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  /**
   * Rebuilds an error another party sent. Its code is only checked against a pattern on the way in,
   * so one this version does not know (a newer peer, a buggy one) becomes ERR_REMOTE, the original
   * kept in `details.remoteCode`, rather than passing for a catalog code. Called on a subclass with
   * VcError's constructor (`ProtocolError.fromWire`), it builds that subclass.
   */
  static fromWire<T extends VcError>(
    this: new (
      code: ErrorCode,
      message: string,
      options?: { details?: Record<string, unknown> },
    ) => T,
    wire: {
      readonly code: string;
      readonly message: string;
      readonly details?: Record<string, unknown> | undefined;
    },
  ): T {
    if (isErrorCode(wire.code))
      return new this(
        wire.code,
        wire.message,
        wire.details ? { details: wire.details } : undefined,
      );
    return new this('ERR_REMOTE', wire.message, {
      details: { remoteCode: wire.code, ...(wire.details ? { remoteDetails: wire.details } : {}) },
    });
  }
}

/** Bad arguments given to a command or API call. */
export class UsageError extends VcError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('ERR_USAGE', message, details ? { details } : undefined);
  }
}

export function isVcError(error: unknown, code?: ErrorCode): error is VcError {
  return error instanceof VcError && (code === undefined || error.code === code);
}

/** Wraps anything thrown into a VcError, keeping the original as `cause`. */
export function toVcError(error: unknown, fallback: ErrorCode = 'ERR_INTERNAL'): VcError {
  if (error instanceof VcError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new VcError(fallback, message, { cause: error });
}
