// Typed readers for policy fields. Each takes the parent object and the parent's JSON path, and
// throws a PolicyError naming the exact field when the field is missing or of the wrong type.
import { PolicyError, childPath } from './errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from './strict-json.js';

/** Longest string accepted in a policy, other than certificates (which have their own bound). */
const MAX_STRING_LENGTH = 4096;
/** Longest certificate PEM accepted. */
export const MAX_CERTIFICATE_LENGTH = 16384;

function typeName(value: JsonValue | undefined): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function present(object: JsonObject, key: string, path: string): JsonValue {
  const value = Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
  if (value === undefined) {
    throw new PolicyError(
      'ERR_POLICY_MISSING_FIELD',
      childPath(path, key),
      `required field "${key}" is missing`,
    );
  }
  return value;
}

export function wrongType(
  path: string,
  expected: string,
  value: JsonValue | undefined,
): PolicyError {
  return new PolicyError(
    'ERR_POLICY_WRONG_TYPE',
    path,
    `expected ${expected}, found ${typeName(value)}`,
    {
      details: { expected },
    },
  );
}

export function has(object: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

export function asObject(value: JsonValue, path: string): JsonObject {
  if (!isJsonObject(value)) throw wrongType(path, 'an object', value);
  return value;
}

export function readObject(object: JsonObject, key: string, path: string): JsonObject {
  return asObject(present(object, key, path), childPath(path, key));
}

export function readArray(
  object: JsonObject,
  key: string,
  path: string,
  maxEntries: number,
): JsonValue[] {
  const fieldPath = childPath(path, key);
  const value = present(object, key, path);
  if (!Array.isArray(value)) throw wrongType(fieldPath, 'an array', value);
  if (value.length > maxEntries) {
    throw new PolicyError(
      'ERR_POLICY_TOO_MANY_ENTRIES',
      fieldPath,
      `${value.length} entries; at most ${maxEntries}`,
      {
        details: { count: value.length, max: maxEntries },
      },
    );
  }
  return value;
}

function asString(value: JsonValue, path: string, maxLength = MAX_STRING_LENGTH): string {
  if (typeof value !== 'string') throw wrongType(path, 'a string', value);
  if (value.length > maxLength) {
    throw new PolicyError(
      'ERR_POLICY_STRING_TOO_LONG',
      path,
      `${value.length} characters; at most ${maxLength}`,
      {
        details: { length: value.length, max: maxLength },
      },
    );
  }
  return value;
}

export function readString(
  object: JsonObject,
  key: string,
  path: string,
  maxLength = MAX_STRING_LENGTH,
): string {
  return asString(present(object, key, path), childPath(path, key), maxLength);
}

/** A string or null (Veracruz's `Option<String>`); a missing field counts as null. */
export function readOptionalString(object: JsonObject, key: string, path: string): string | null {
  if (!has(object, key) || object[key] === null) return null;
  return asString(object[key] as JsonValue, childPath(path, key));
}

export function readBoolean(object: JsonObject, key: string, path: string): boolean {
  const value = present(object, key, path);
  if (typeof value !== 'boolean') throw wrongType(childPath(path, key), 'true or false', value);
  return value;
}

/** A whole number in [min, max] (Veracruz's u8/u32 fields). */
export function asInteger(value: JsonValue, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw wrongType(path, 'a whole number', value);
  if (value < min || value > max) {
    throw new PolicyError('ERR_POLICY_OUT_OF_RANGE', path, `${value} is outside ${min}..${max}`, {
      details: { value, min, max },
    });
  }
  return value;
}

export function readInteger(
  object: JsonObject,
  key: string,
  path: string,
  min: number,
  max: number,
): number {
  return asInteger(present(object, key, path), childPath(path, key), min, max);
}

export const U32_MAX = 0xffffffff;
