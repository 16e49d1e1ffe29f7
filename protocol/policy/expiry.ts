// `enclave_cert_expiry`: Veracruz's {year, month, day, hour, minute} time point, read as UTC.
// Veracruz checks only rough ranges (and not at all when deserialising); we want a real date.
import { PolicyError, childPath } from './errors.js';
import { readInteger } from './fields.js';
import type { JsonObject } from './strict-json.js';

const FIELDS = [
  ['year', 1970, 9999],
  ['month', 1, 12],
  ['day', 1, 31],
  ['hour', 0, 23],
  ['minute', 0, 59],
] as const;

export function readExpiry(object: JsonObject, path: string): Date {
  const values: Record<string, number> = {};
  for (const [key, min, max] of FIELDS) {
    try {
      values[key] = readInteger(object, key, path, min, max);
    } catch (error) {
      if ((error as PolicyError).code !== 'ERR_POLICY_OUT_OF_RANGE') throw error;
      throw new PolicyError(
        'ERR_POLICY_BAD_EXPIRY',
        childPath(path, key),
        `${key} must be ${min}..${max}`,
      );
    }
  }
  const { year = 0, month = 0, day = 0, hour = 0, minute = 0 } = values;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute));
  if (date.getUTCDate() !== day) {
    throw new PolicyError(
      'ERR_POLICY_BAD_EXPIRY',
      childPath(path, 'day'),
      `${year}-${month} has no day ${day}`,
    );
  }
  return date;
}
