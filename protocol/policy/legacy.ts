// Older Veracruz policy formats (2021-2022: SGX and TrustZone runtime hashes, per-program
// `pi_hash`, no `native_modules`/`pipelines`/`file_hashes`...). Today's Veracruz refuses them too;
// we refuse them up front with a message that names the old field and lists what is missing,
// instead of a confusing complaint about the first missing field. See docs/policy.md.
import { PolicyError, childPath } from './errors.js';
import { POLICY_FIELDS } from './policy-fields.js';
import { isJsonObject, type JsonObject } from './strict-json.js';

const LEGACY_TOP_LEVEL = ['runtime_manager_hash_sgx', 'runtime_manager_hash_tz'];
// The runtime hashes may be null or absent per platform; every other current field is required.
const REQUIRED_NOW = POLICY_FIELDS.filter((field) => !field.startsWith('runtime_manager_hash_'));

function legacyFieldPath(document: JsonObject): string | undefined {
  const topLevel = LEGACY_TOP_LEVEL.find((key) =>
    Object.prototype.hasOwnProperty.call(document, key),
  );
  if (topLevel !== undefined) return childPath('$', topLevel);
  const programs = document['programs'];
  if (!Array.isArray(programs)) return undefined;
  const index = programs.findIndex(
    (program) => isJsonObject(program) && Object.prototype.hasOwnProperty.call(program, 'pi_hash'),
  );
  return index < 0 ? undefined : `$.programs[${index}].pi_hash`;
}

export function checkLegacyFormat(document: JsonObject): void {
  const path = legacyFieldPath(document);
  if (path === undefined) return;
  const missing = REQUIRED_NOW.filter(
    (key) => !Object.prototype.hasOwnProperty.call(document, key),
  );
  throw new PolicyError(
    'ERR_POLICY_LEGACY_FORMAT',
    path,
    `${path.slice(2)} belongs to an older Veracruz policy format (SGX/TrustZone era), which neither ` +
      `Veracruz nor Veracruz-TS loads today${missing.length ? `; missing current fields: ${missing.join(', ')}` : ''}. ` +
      'Regenerate the policy with vc policy generate.',
    { details: { legacyField: path, missing } },
  );
}
