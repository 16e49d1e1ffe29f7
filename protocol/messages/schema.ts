// A tiny structural schema language for message bodies: enough to check decoded msgpack values
// (plain objects, strings, numbers, booleans, byte arrays, arrays) with exact key sets. Unknown keys
// are refused, so a body can never smuggle fields past the validator. Each check also carries, at
// the type level only, the type of the values it admits (`Infer<typeof check>`), so a body shape is
// written once, as its schema, and its TypeScript type is derived from it (bodies.ts). Each check
// also describes itself as JSON Schema (draft 07, `jsonSchemaOf`), which is how docs/asyncapi.yaml
// gets its message schemas: generated from these checks, never written by hand.

/** Returns a description of what is wrong with `value` (found at `at`), or undefined when it is a `T`. */
export interface Check<T = unknown> {
  (value: unknown, at: string): string | undefined;
  /** Type-level only: never set at run time. */
  readonly __admits?: T;
}

/** The type of the values a check admits. */
export type Infer<C> = C extends Check<infer T> ? T : never;

/** A JSON Schema (draft 07) object. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** The JSON Schema of each check, computed when asked (so a check is never described at import). */
const descriptions = new WeakMap<Check<unknown>, () => JsonSchema>();

/**
 * `check`, described as `schema` for jsonSchemaOf. A check written by hand (not built by the
 * combinators below) must be described this way, or the generator of docs/asyncapi.yaml refuses it.
 */
export function described<C extends Check<unknown>>(check: C, schema: () => JsonSchema): C {
  descriptions.set(check, schema);
  return check;
}

/**
 * The JSON Schema (draft 07) of the values a check admits. msgpack's `bin` is written
 * `{type: string, format: binary}`, its `maxLength` counting bytes (docs/protocol.md, "Bodies").
 */
export function jsonSchemaOf(check: Check<unknown>): JsonSchema {
  const schema = descriptions.get(check);
  if (!schema) throw new TypeError('a schema check has no JSON Schema description');
  return schema();
}

/** A check whose admitted type is narrower than its structure shows (e.g. a pattern guarantees it). */
export function narrow<T>(check: Check<unknown>): Check<T> {
  return check as Check<T>;
}

const MAX_STRING = 1 << 20;

/** A string of at most `max` UTF-16 code units, matching `pattern` when given. */
export const str = (max = MAX_STRING, pattern?: RegExp): Check<string> =>
  described<Check<string>>(
    (value, at) => {
      if (typeof value !== 'string') return `${at} must be a string`;
      if (value.length > max) return `${at} is longer than ${max}`;
      if (pattern && !pattern.test(value)) return `${at} is malformed`;
      return undefined;
    },
    () => ({
      type: 'string',
      maxLength: max,
      ...(pattern ? { pattern: pattern.source } : {}),
    }),
  );

export const uint = (max = Number.MAX_SAFE_INTEGER): Check<number> =>
  described<Check<number>>(
    (value, at) =>
      typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max
        ? undefined
        : `${at} must be an integer in 0..${max}`,
    () => ({ type: 'integer', minimum: 0, maximum: max }),
  );

/** Exactly `value` (an envelope's version). */
export const literal = <const V extends number | string>(value: V): Check<V> =>
  described<Check<V>>(
    (v, at) => (v === value ? undefined : `${at} must be ${JSON.stringify(value)}`),
    () => ({ const: value }),
  );

export const int: Check<number> = described(
  (value, at) =>
    typeof value === 'number' && Number.isInteger(value) ? undefined : `${at} must be an integer`,
  () => ({ type: 'integer' }),
);

export const bool: Check<boolean> = described(
  (value, at) => (typeof value === 'boolean' ? undefined : `${at} must be a boolean`),
  () => ({ type: 'boolean' }),
);

/** msgpack `bin` of at most `max` bytes. */
export const bytes = (max = Number.MAX_SAFE_INTEGER): Check<Uint8Array> =>
  described<Check<Uint8Array>>(
    (value, at) => {
      if (!(value instanceof Uint8Array)) return `${at} must be bytes`;
      return value.byteLength > max ? `${at} is larger than ${max} bytes` : undefined;
    },
    () => ({ type: 'string', format: 'binary', maxLength: max }),
  );

export const oneOf = <const A extends readonly string[]>(...allowed: A): Check<A[number]> =>
  described<Check<A[number]>>(
    (value, at) =>
      typeof value === 'string' && allowed.includes(value)
        ? undefined
        : `${at} must be one of ${allowed.join(', ')}`,
    () => ({ type: 'string', enum: [...allowed] }),
  );

export const arrayOf = <T>(item: Check<T>, max = 64): Check<readonly T[]> =>
  described<Check<readonly T[]>>(
    (value, at) => {
      if (!Array.isArray(value)) return `${at} must be an array`;
      if (value.length > max) return `${at} has more than ${max} items`;
      for (const [i, v] of value.entries()) {
        const problem = item(v, `${at}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    },
    () => ({ type: 'array', items: jsonSchemaOf(item), maxItems: max }),
  );

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const plainDescription = (depth: number): string =>
  `a plain msgpack value (nil, bool, number, str, bin, array, map with string keys) nested at most ${depth} deep`;

/** Any JSON-like value up to a depth (details of errors, trace events). */
export const anyPlain = (depth = 8): Check<unknown> =>
  described<Check<unknown>>(plainValue(depth), () => ({ description: plainDescription(depth) }));

function plainValue(depth: number): Check<unknown> {
  return (value, at) => {
    if (depth < 0) return `${at} is nested too deeply`;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return undefined;
    if (value instanceof Uint8Array) return undefined;
    if (Array.isArray(value)) {
      if (value.length > 10_000) return `${at} has more than 10000 items`;
      for (const [i, v] of value.entries()) {
        const problem = plainValue(depth - 1)(v, `${at}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    }
    if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        const problem = plainValue(depth - 1)(v, `${at}.${k}`);
        if (problem) return problem;
      }
      return undefined;
    }
    return `${at} has an unsupported type`;
  };
}

export const record = (depth = 8): Check<Record<string, unknown>> =>
  described<Check<Record<string, unknown>>>(
    (value, at) =>
      isPlainObject(value) ? plainValue(depth)(value, at) : `${at} must be an object`,
    () => ({ type: 'object', description: plainDescription(depth) }),
  );

type Fields = Record<string, Check>;
type Flatten<T> = { [K in keyof T]: T[K] } & {};
/** The object type of `obj(required, optional)`; an object with no keys at all admits only `{}`. */
export type ObjectOf<R extends Fields, O extends Fields> = [keyof R | keyof O] extends [never]
  ? Record<string, never>
  : Flatten<{ readonly [K in keyof R]: Infer<R[K]> } & { readonly [K in keyof O]?: Infer<O[K]> }>;

/** An object with exactly these required and optional keys. */
export const obj = <R extends Fields, O extends Fields = Record<never, Check>>(
  required: R,
  optional: O = {} as O,
): Check<ObjectOf<R, O>> =>
  described(objectCheck(required, optional) as Check<ObjectOf<R, O>>, () => {
    const properties = Object.fromEntries(
      Object.entries({ ...required, ...optional }).map(([k, c]) => [k, jsonSchemaOf(c)]),
    );
    const names = Object.keys(required);
    return {
      type: 'object',
      properties,
      ...(names.length > 0 ? { required: names } : {}),
      additionalProperties: false,
    };
  });

function objectCheck(required: Fields, optional: Fields): Check {
  return (value, at) => {
    if (!isPlainObject(value)) return `${at} must be an object`;
    // Own properties only: `key in required` would also see Object.prototype, admitting extra keys
    // named `constructor`, `toString` or `hasOwnProperty` past the closed-object check.
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(required, key) && !Object.hasOwn(optional, key))
        return `${at}.${key} is not allowed`;
    }
    for (const [key, check] of Object.entries(required)) {
      if (!Object.hasOwn(value, key) || value[key] === undefined) return `${at}.${key} is missing`;
      const problem = check(value[key], `${at}.${key}`);
      if (problem) return problem;
    }
    for (const [key, check] of Object.entries(optional)) {
      if (!Object.hasOwn(value, key) || value[key] === undefined) continue;
      const problem = check(value[key], `${at}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  };
}

/** `check`, and exactly one of the optional keys `a` and `b` present. */
export function exactlyOne<C extends Check<object>>(
  check: C,
  a: keyof Infer<C> & string,
  b: keyof Infer<C> & string,
): C {
  const both: Check = (value, at) => {
    const problem = check(value, at);
    if (problem) return problem;
    const body = value as Record<string, unknown>;
    return (body[a] === undefined) === (body[b] === undefined)
      ? `${at} needs exactly one of ${a}, ${b}`
      : undefined;
  };
  return described(both, () => ({
    ...jsonSchemaOf(check),
    oneOf: [{ required: [a] }, { required: [b] }],
  })) as C;
}
