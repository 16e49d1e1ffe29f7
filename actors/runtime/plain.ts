// Machine events and outputs travel in trace records (msgpack) and are compared on replay, so they
// must survive encoding unchanged: `undefined` fields are dropped (msgpack would turn them into nil)
// and only plain values remain.

export type Plain =
  null | boolean | number | string | Uint8Array | Plain[] | { [key: string]: Plain };

export function toPlain(value: unknown): Plain {
  if (
    value === null ||
    typeof value === 'boolean' ||
    typeof value === 'number' ||
    typeof value === 'string'
  ) {
    return value;
  }
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : toPlain(v)));
  if (typeof value === 'object') {
    const out: { [key: string]: Plain } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined && typeof v !== 'function') out[k] = toPlain(v);
    }
    return out;
  }
  return null;
}

/**
 * The same record as plain data. Its type is kept: dropping `undefined` fields and copying arrays
 * and objects changes no field a well-typed record has.
 */
export function plainRecord<T extends object>(value: T): T & Record<string, Plain> {
  return toPlain(value) as T & Record<string, Plain>;
}
