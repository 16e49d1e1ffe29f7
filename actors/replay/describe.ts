// What an observer may see of a decoded body: every public field as it is, binary fields (sealed
// payloads, keys, signatures) as their length, long strings (policies, certificate chains) cut.
// Secrets never travel in clear, so nothing here hides a secret; this keeps views small.
const MAX_STRING = 240;
const MAX_ITEMS = 32;

export function describeBody(value: unknown, depth = 0): unknown {
  if (value instanceof Uint8Array) return `‹${value.length} bytes›`;
  if (typeof value === 'string')
    return value.length > MAX_STRING
      ? `${value.slice(0, MAX_STRING)}… ‹${value.length} chars›`
      : value;
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '‹…›';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => describeBody(v, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`‹${value.length - MAX_ITEMS} more›`);
    return items;
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = describeBody(inner, depth + 1);
  return out;
}

/** The `ERR_*` code a body, event or output carries (`code`, `failure.code`, `error.code`). */
export function refusalCode(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const o = value as Record<string, unknown>;
  if (typeof o['code'] === 'string' && o['code'].startsWith('ERR_')) return o['code'];
  for (const key of ['failure', 'error', 'refusal']) {
    const inner = refusalCode(o[key]);
    if (inner) return inner;
  }
  return undefined;
}
