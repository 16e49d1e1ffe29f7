// A tiny structural schema language for message bodies: enough to check decoded msgpack values
// (plain objects, strings, numbers, booleans, byte arrays, arrays) with exact key sets. Unknown keys
// are refused, so a body can never smuggle fields past the validator.

export type Check = (value: unknown, at: string) => string | undefined;

const MAX_STRING = 1 << 20;

export const str =
  (max = MAX_STRING, pattern?: RegExp): Check =>
  (value, at) => {
    if (typeof value !== 'string') return `${at} must be a string`;
    if (value.length > max) return `${at} is longer than ${max}`;
    if (pattern && !pattern.test(value)) return `${at} is malformed`;
    return undefined;
  };

export const uint =
  (max = Number.MAX_SAFE_INTEGER): Check =>
  (value, at) =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max
      ? undefined
      : `${at} must be an integer in 0..${max}`;

export const int: Check = (value, at) =>
  typeof value === 'number' && Number.isInteger(value) ? undefined : `${at} must be an integer`;

export const bool: Check = (value, at) =>
  typeof value === 'boolean' ? undefined : `${at} must be a boolean`;

export const bytes =
  (max = Number.MAX_SAFE_INTEGER): Check =>
  (value, at) => {
    if (!(value instanceof Uint8Array)) return `${at} must be bytes`;
    return value.byteLength > max ? `${at} is larger than ${max} bytes` : undefined;
  };

export const oneOf =
  (...allowed: readonly string[]): Check =>
  (value, at) =>
    typeof value === 'string' && allowed.includes(value)
      ? undefined
      : `${at} must be one of ${allowed.join(', ')}`;

export const arrayOf =
  (item: Check, max = 64): Check =>
  (value, at) => {
    if (!Array.isArray(value)) return `${at} must be an array`;
    if (value.length > max) return `${at} has more than ${max} items`;
    for (const [i, v] of value.entries()) {
      const problem = item(v, `${at}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Any JSON-like value up to a depth (details of errors, trace events). */
export const anyPlain =
  (depth = 8): Check =>
  (value, at) => {
    if (depth < 0) return `${at} is nested too deeply`;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return undefined;
    if (value instanceof Uint8Array) return undefined;
    if (Array.isArray(value)) return arrayOf(anyPlain(depth - 1), 10_000)(value, at);
    if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        const problem = anyPlain(depth - 1)(v, `${at}.${k}`);
        if (problem) return problem;
      }
      return undefined;
    }
    return `${at} has an unsupported type`;
  };

export const record =
  (depth = 8): Check =>
  (value, at) =>
    isPlainObject(value) ? anyPlain(depth)(value, at) : `${at} must be an object`;

/** An object with exactly these required and optional keys. */
export const obj =
  (required: Record<string, Check>, optional: Record<string, Check> = {}): Check =>
  (value, at) => {
    if (!isPlainObject(value)) return `${at} must be an object`;
    for (const key of Object.keys(value)) {
      if (!(key in required) && !(key in optional)) return `${at}.${key} is not allowed`;
    }
    for (const [key, check] of Object.entries(required)) {
      if (!(key in value) || value[key] === undefined) return `${at}.${key} is missing`;
      const problem = check(value[key], `${at}.${key}`);
      if (problem) return problem;
    }
    for (const [key, check] of Object.entries(optional)) {
      if (value[key] === undefined) continue;
      const problem = check(value[key], `${at}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  };
