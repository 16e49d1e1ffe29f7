// Our optional extensions, all under one top-level object `veracruz_ts` (Veracruz ignores unknown
// fields, so a policy carrying them still loads there). Documented in docs/policy.md. Inside our
// own namespace we are strict: an unknown key there is a mistake, not a future field.
import { PolicyError, childPath } from './errors.js';
import { asInteger, asObject, has } from './fields.js';
import type { JsonObject, JsonValue } from './strict-json.js';
import type { PolicyExtensions } from './types.js';

export const EXTENSIONS_FIELD = 'veracruz_ts';
const KNOWN = new Set([
  'runtime_hashes',
  'shutdown',
  'execution_timeout_ms',
  'deterministic',
  'storage_quota_bytes',
]);
const PLATFORM_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
/** SHA-256 (64 hex) or SHA-384 (96 hex, e.g. a Nitro PCR0). */
const MEASUREMENT_PATTERN = /^([0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/;

function bad(path: string, message: string): PolicyError {
  return new PolicyError('ERR_POLICY_BAD_EXTENSION', path, message);
}

function readRuntimeHashes(value: JsonValue, path: string): Record<string, string[]> {
  const object = asObject(value, path);
  const result: Record<string, string[]> = {};
  for (const [platform, hashes] of Object.entries(object)) {
    const platformPath = childPath(path, platform);
    if (!PLATFORM_PATTERN.test(platform))
      throw bad(platformPath, 'platform names are lowercase words');
    if (!Array.isArray(hashes) || hashes.length === 0 || hashes.length > 64) {
      throw bad(platformPath, 'expected a list of 1 to 64 measurements');
    }
    result[platform] = hashes.map((hash, index) => {
      if (typeof hash !== 'string' || !MEASUREMENT_PATTERN.test(hash)) {
        throw new PolicyError(
          'ERR_POLICY_BAD_HASH',
          childPath(platformPath, index),
          'expected lowercase hex SHA-256, SHA-384 or SHA-512',
        );
      }
      return hash;
    });
  }
  return result;
}

function readShutdown(
  value: JsonValue,
  path: string,
  identityIds: readonly number[],
): PolicyExtensions['shutdown'] {
  const object = asObject(value, path);
  if (object['rule'] === 'any' && Object.keys(object).length === 1) return { rule: 'any' };
  if (object['rule'] !== 'consensus')
    throw bad(childPath(path, 'rule'), 'rule is "any" or "consensus"');
  const of = object['of'];
  const ofPath = childPath(path, 'of');
  if (!Array.isArray(of) || of.length === 0 || Object.keys(object).length !== 2) {
    throw bad(ofPath, 'a consensus rule lists the identity ids that must all agree');
  }
  const ids = of.map((id, index) => asInteger(id, childPath(ofPath, index), 0, 0xffffffff));
  ids.forEach((id, index) => {
    if (!identityIds.includes(id)) throw bad(childPath(ofPath, index), `no identity has id ${id}`);
    if (ids.indexOf(id) !== index) throw bad(childPath(ofPath, index), `id ${id} is listed twice`);
  });
  return { rule: 'consensus', of: ids };
}

/** Reads `veracruz_ts` if present; identity ids are needed to check a consensus shutdown rule. */
export function readExtensions(
  policy: JsonObject,
  identityIds: readonly number[],
): PolicyExtensions {
  if (!has(policy, EXTENSIONS_FIELD)) return {};
  const path = childPath('$', EXTENSIONS_FIELD);
  const object = asObject(policy[EXTENSIONS_FIELD] as JsonValue, path);
  const unknown = Object.keys(object).find((key) => !KNOWN.has(key));
  if (unknown !== undefined) throw bad(childPath(path, unknown), `unknown extension "${unknown}"`);
  const field = (key: string): JsonValue | undefined =>
    has(object, key) ? object[key] : undefined;
  const result: { -readonly [K in keyof PolicyExtensions]: PolicyExtensions[K] } = {};
  const runtimeHashes = field('runtime_hashes');
  if (runtimeHashes !== undefined)
    result.runtimeHashes = readRuntimeHashes(runtimeHashes, childPath(path, 'runtime_hashes'));
  const shutdown = field('shutdown');
  if (shutdown !== undefined)
    result.shutdown = readShutdown(shutdown, childPath(path, 'shutdown'), identityIds);
  const timeout = field('execution_timeout_ms');
  if (timeout !== undefined) {
    result.executionTimeoutMs = asInteger(
      timeout,
      childPath(path, 'execution_timeout_ms'),
      1,
      86_400_000,
    );
  }
  const deterministic = field('deterministic');
  if (deterministic !== undefined) {
    if (typeof deterministic !== 'boolean')
      throw bad(childPath(path, 'deterministic'), 'expected true or false');
    result.deterministic = deterministic;
  }
  const quota = field('storage_quota_bytes');
  if (quota !== undefined) {
    result.storageQuotaBytes = asInteger(
      quota,
      childPath(path, 'storage_quota_bytes'),
      1,
      Number.MAX_SAFE_INTEGER,
    );
  }
  return result;
}

/** The JSON object for `veracruz_ts` (snake_case), or undefined when there is nothing to write. */
export function extensionsToJson(extensions: PolicyExtensions): JsonObject | undefined {
  const json: JsonObject = {};
  if (extensions.runtimeHashes) {
    json['runtime_hashes'] = Object.fromEntries(
      Object.entries(extensions.runtimeHashes).map(([platform, hashes]) => [platform, [...hashes]]),
    );
  }
  if (extensions.shutdown) {
    json['shutdown'] =
      extensions.shutdown.rule === 'any'
        ? { rule: 'any' }
        : { rule: 'consensus', of: [...extensions.shutdown.of] };
  }
  if (extensions.executionTimeoutMs !== undefined)
    json['execution_timeout_ms'] = extensions.executionTimeoutMs;
  if (extensions.deterministic !== undefined) json['deterministic'] = extensions.deterministic;
  if (extensions.storageQuotaBytes !== undefined)
    json['storage_quota_bytes'] = extensions.storageQuotaBytes;
  return Object.keys(json).length === 0 ? undefined : json;
}
