// Writing policy JSON the way Veracruz's vc-pgen does (serde_json::to_string_pretty of a
// serde_json::Value): keys sorted at every level, two-space indent, no trailing newline.
// JSON.stringify escapes strings as serde_json does for everything a policy contains.
import type { JsonValue } from './strict-json.js';

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, JsonValue> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key] as JsonValue);
  return sorted;
}

export function serializePolicyJson(value: JsonValue): string {
  return JSON.stringify(sortKeys(value), null, 2);
}
