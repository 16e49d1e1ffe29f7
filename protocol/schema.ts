// A tiny schema library for message bodies (no dependencies). A schema is a function from
// `unknown` to a typed value that throws `SchemaError` (ERR_BODY_SCHEMA) naming the offending path.
// Bodies come from untrusted peers, so schemas are closed: unknown object keys are refused.
//
//   const challenge = s.object({ nonce: s.bytes({ min: 16, max: 64 }), session: s.string({ max: 64 }) });
//   type Challenge = Infer<typeof challenge>;
import { VcError } from './errors.js';

export class SchemaError extends VcError {
  constructor(path: string, expected: string) {
    super(
      'ERR_BODY_SCHEMA',
      `message body does not match its schema at ${path || '(root)'}: expected ${expected}`,
      {
        details: { path, expected },
      },
    );
  }
}

/** Validates and returns the typed value; `path` is used in error messages only. */
export type Schema<T> = (value: unknown, path?: string) => T;
export type Infer<S> = S extends Schema<infer T> ? T : never;

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never;
}[keyof S];
type ObjectOf<S extends Shape> = {
  readonly [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]>;
} & {
  readonly [K in OptionalKeys<S>]?: Infer<S[K]>;
};
interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
}

const string =
  (o: { min?: number; max?: number; pattern?: RegExp } = {}): Schema<string> =>
  (v, p = '') => {
    if (typeof v !== 'string') throw new SchemaError(p, 'string');
    if (v.length < (o.min ?? 0) || v.length > (o.max ?? 65_536))
      throw new SchemaError(p, `string length ${o.min ?? 0}..${o.max ?? 65_536}`);
    if (o.pattern && !o.pattern.test(v)) throw new SchemaError(p, `string matching ${o.pattern}`);
    return v;
  };

const int =
  (o: { min?: number; max?: number } = {}): Schema<number> =>
  (v, p = '') => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new SchemaError(p, 'safe integer');
    if (v < (o.min ?? Number.MIN_SAFE_INTEGER) || v > (o.max ?? Number.MAX_SAFE_INTEGER)) {
      throw new SchemaError(p, `integer in ${o.min ?? '-inf'}..${o.max ?? 'inf'}`);
    }
    return v;
  };

const number: () => Schema<number> =
  () =>
  (v, p = '') => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new SchemaError(p, 'finite number');
    return v;
  };

const boolean: () => Schema<boolean> =
  () =>
  (v, p = '') => {
    if (typeof v !== 'boolean') throw new SchemaError(p, 'boolean');
    return v;
  };

const bytes =
  (o: { min?: number; max?: number } = {}): Schema<Uint8Array> =>
  (v, p = '') => {
    if (!(v instanceof Uint8Array)) throw new SchemaError(p, 'bytes');
    if (v.length < (o.min ?? 0) || v.length > (o.max ?? Infinity))
      throw new SchemaError(p, `bytes length ${o.min ?? 0}..${o.max ?? 'any'}`);
    return v;
  };

const literal =
  <const T extends string | number | boolean | null>(...values: T[]): Schema<T> =>
  (v, p = '') => {
    if (!values.includes(v as T))
      throw new SchemaError(p, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
    return v as T;
  };

const array =
  <T>(item: Schema<T>, o: { min?: number; max?: number } = {}): Schema<readonly T[]> =>
  (v, p = '') => {
    if (!Array.isArray(v)) throw new SchemaError(p, 'array');
    if (v.length < (o.min ?? 0) || v.length > (o.max ?? 65_536))
      throw new SchemaError(p, `array length ${o.min ?? 0}..${o.max ?? 65_536}`);
    return v.map((x, i) => item(x, `${p}[${i}]`));
  };

const optional = <T>(inner: Schema<T>): OptionalSchema<T> =>
  Object.assign((v: unknown, p = '') => (v === undefined ? undefined : inner(v, p)), {
    optional: true as const,
  });

const nullable =
  <T>(inner: Schema<T>): Schema<T | null> =>
  (v, p = '') =>
    v === null ? null : inner(v, p);

function isRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array)
    return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const object =
  <S extends Shape>(shape: S): Schema<ObjectOf<S>> =>
  (v, p = '') => {
    if (!isRecord(v)) throw new SchemaError(p, 'map');
    for (const key of Object.keys(v)) {
      if (!Object.hasOwn(shape, key)) throw new SchemaError(`${p}.${key}`, 'no such field');
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const value = field(v[key], `${p}.${key}`);
      if (value !== undefined) out[key] = value;
    }
    return out as ObjectOf<S>;
  };

/** A map from string keys (checked by `key`) to values of one schema. */
const record =
  <T>(
    key: Schema<string>,
    value: Schema<T>,
    o: { max?: number } = {},
  ): Schema<Readonly<Record<string, T>>> =>
  (v, p = '') => {
    if (!isRecord(v)) throw new SchemaError(p, 'map');
    const entries = Object.entries(v);
    if (entries.length > (o.max ?? 4096))
      throw new SchemaError(p, `at most ${o.max ?? 4096} entries`);
    return Object.fromEntries(
      entries.map(([k, x]) => [key(k, `${p}.${k}`), value(x, `${p}.${k}`)]),
    );
  };

/** A tagged union: `tag` names the discriminating field, each variant is an object schema. */
const union =
  <K extends string, V extends Record<string, Schema<unknown>>>(
    tag: K,
    variants: V,
  ): Schema<Infer<V[keyof V]>> =>
  (v, p = '') => {
    if (!isRecord(v) || typeof v[tag] !== 'string' || !Object.hasOwn(variants, v[tag])) {
      throw new SchemaError(`${p}.${tag}`, `one of ${Object.keys(variants).join(', ')}`);
    }
    return (variants[v[tag]] as Schema<unknown>)(v, p) as Infer<V[keyof V]>;
  };

export const s = {
  string,
  int,
  number,
  boolean,
  bytes,
  literal,
  array,
  optional,
  nullable,
  object,
  record,
  union,
};
