// `file_rights` lists in the policy JSON: [{file_name, rights}] with well-formed, distinct keys.
import { PolicyError, childPath } from './errors.js';
import { asObject, readArray, readString, wrongType } from './fields.js';
import { rightsPathProblem } from './rights.js';
import type { JsonObject } from './strict-json.js';
import type { FileRight, RightsTable } from './types.js';
import { RIGHTS_ALL } from './wasi-rights.js';

const MAX_RIGHTS_ENTRIES = 1024;

function readRightsValue(entry: JsonObject, path: string): number {
  const rightsPath = childPath(path, 'rights');
  const value = entry['rights'];
  if (value === undefined) {
    throw new PolicyError(
      'ERR_POLICY_MISSING_FIELD',
      rightsPath,
      'required field "rights" is missing',
    );
  }
  if (typeof value === 'string') {
    throw new PolicyError(
      'ERR_POLICY_BAD_RIGHTS',
      rightsPath,
      `rights are a WASI bit set number in the policy (Veracruz reads a u32), not ${JSON.stringify(value)}; ` +
        'shorthands like "rw" belong on the vc policy generate command line',
    );
  }
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw wrongType(rightsPath, 'a whole number', value);
  if (value < 0 || value > RIGHTS_ALL) {
    throw new PolicyError(
      'ERR_POLICY_BAD_RIGHTS',
      rightsPath,
      `${value} is not a WASI rights bit set (0..${RIGHTS_ALL})`,
    );
  }
  return value;
}

/** Reads `owner.file_rights`. */
export function readFileRights(owner: JsonObject, ownerPath: string): RightsTable {
  const list = readArray(owner, 'file_rights', ownerPath, MAX_RIGHTS_ENTRIES);
  const listPath = childPath(ownerPath, 'file_rights');
  const seen = new Map<string, number>();
  return list.map((item, index): FileRight => {
    const path = childPath(listPath, index);
    const entry = asObject(item, path);
    const fileName = readString(entry, 'file_name', path);
    const problem = rightsPathProblem(fileName);
    if (problem)
      throw new PolicyError('ERR_POLICY_BAD_RIGHTS_PATH', childPath(path, 'file_name'), problem);
    const key = fileName.length > 1 ? fileName.replace(/\/$/, '') : fileName;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new PolicyError(
        'ERR_POLICY_DUPLICATE_RIGHTS_PATH',
        childPath(path, 'file_name'),
        `"${fileName}" is already granted at ${childPath(listPath, earlier)}`,
      );
    }
    seen.set(key, index);
    return { path: fileName, rights: readRightsValue(entry, path) };
  });
}
