// How host functions report WASI 0.2 errors to jco's glue. The glue turns a thrown value into the
// `err` case of a `result` when it has an own `payload` property (anything else that is an Error
// is a trap). So each error case is an Error subclass carrying the WIT value as `payload`.

/** `wasi:filesystem/types.error-code` cases we produce. */
export type FsErrorCode =
  | 'access'
  | 'bad-descriptor'
  | 'exist'
  | 'invalid'
  | 'io'
  | 'is-directory'
  | 'loop'
  | 'no-entry'
  | 'not-directory'
  | 'not-empty'
  | 'not-permitted'
  | 'quota'
  | 'unsupported'
  | 'invalid-seek'
  | 'name-too-long';

export class FsError extends Error {
  readonly payload: FsErrorCode;
  constructor(code: FsErrorCode) {
    super(`wasi:filesystem error ${code}`);
    this.payload = code;
  }
}

/** The `wasi:io/error.error` resource: an opaque error, optionally carrying a filesystem code. */
export class IoError {
  readonly message: string;
  readonly fsCode: FsErrorCode | undefined;
  constructor(message: string, fsCode?: FsErrorCode) {
    this.message = message;
    this.fsCode = fsCode;
  }
  toDebugString(): string {
    return this.message;
  }
}

export type StreamErrorValue = { tag: 'closed' } | { tag: 'last-operation-failed'; val: IoError };

export class StreamError extends Error {
  readonly payload: StreamErrorValue;
  constructor(payload: StreamErrorValue) {
    super(`wasi:io stream error ${payload.tag}`);
    this.payload = payload;
  }
  static closed(): StreamError {
    return new StreamError({ tag: 'closed' });
  }
  static failed(code: FsErrorCode): StreamError {
    return new StreamError({ tag: 'last-operation-failed', val: new IoError(code, code) });
  }
}
