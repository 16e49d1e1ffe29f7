// What `vc run --policy FILE --principal ID` takes from a Veracruz policy: the principal's rights
// table, enable_clock, max_memory_mib and our extensions (execution timeout, storage quota). Only
// these fields are read here; checking a whole policy is `vc policy check`'s job.
import { readFileSync } from 'node:fs';
import { UsageError, VcError } from '../../protocol/errors.js';
import type { RightsTable } from '../../protocol/policy/types.js';
import { RIGHTS_EXECUTE, RIGHTS_READ, RIGHTS_WRITE } from '../../protocol/policy/wasi-rights.js';
import type { RunLimits } from './run-program.js';

export interface PolicyRunSettings {
  readonly rights: RightsTable;
  readonly callerRights: RightsTable;
  readonly clock: boolean;
  readonly limits: Partial<RunLimits>;
  readonly quotaBytes: number | undefined;
}

type Json = Record<string, unknown>;

function rightsValue(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^[rwx]*$/.test(value)) {
    return (
      (value.includes('r') ? RIGHTS_READ : 0) |
      (value.includes('w') ? RIGHTS_WRITE : 0) |
      (value.includes('x') ? RIGHTS_EXECUTE : 0)
    );
  }
  throw new VcError('ERR_POLICY_INVALID', `bad rights value ${JSON.stringify(value)}`);
}

function table(entry: Json): RightsTable {
  const rights = entry['file_rights'];
  if (!Array.isArray(rights))
    throw new VcError('ERR_POLICY_INVALID', 'file_rights must be an array');
  return rights.map((r: Json) => ({
    path: String(r['file_name']),
    rights: rightsValue(r['rights']),
  }));
}

function list(policy: Json, key: string): Json[] {
  const value = policy[key];
  return Array.isArray(value) ? (value as Json[]) : [];
}

export function policyRunSettings(file: string, principal: string): PolicyRunSettings {
  let policy: Json;
  try {
    policy = JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (error) {
    throw new UsageError(`cannot read policy ${file}: ${(error as Error).message}`);
  }
  const entry =
    (/^\d+$/.test(principal)
      ? list(policy, 'identities').find((i) => i['id'] === Number(principal))
      : undefined) ??
    list(policy, 'programs').find((p) => p['program_file_name'] === principal) ??
    list(policy, 'pipelines').find((p) => p['name'] === principal);
  if (!entry) throw new UsageError(`the policy names no principal "${principal}"`);
  const rights = table(entry);
  const ext = (policy['veracruz_ts'] ?? {}) as Json;
  const maxMemoryMib = policy['max_memory_mib'];
  const timeoutMs = ext['execution_timeout_ms'] ?? ext['executionTimeoutMs'];
  const quota = ext['storage_quota_bytes'] ?? ext['storageQuotaBytes'];
  return {
    rights,
    callerRights: rights,
    clock: policy['enable_clock'] === true,
    limits: {
      ...(typeof maxMemoryMib === 'number' ? { maxMemoryMib } : {}),
      ...(typeof timeoutMs === 'number' ? { timeoutMs } : {}),
    },
    quotaBytes: typeof quota === 'number' ? quota : undefined,
  };
}
