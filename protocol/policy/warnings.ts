// Things in a valid policy that deserve a second look. They do not refuse the policy.
import { rightsAt, rightsTableFor } from './rights.js';
import type { Policy } from './types.js';
import { WasiRight, hasRights } from './wasi-rights.js';

export function policyWarnings(policy: Policy, unknownFields: readonly string[] = []): string[] {
  const warnings = unknownFields.map(
    (field) => `unknown top-level field "${field}" is ignored (as Veracruz does)`,
  );
  if (policy.debug)
    warnings.push('debug is true: the enclave may print to the host, never use it with real data');
  const hashed = new Set(policy.fileHashes.map((entry) => entry.filePath));
  for (const program of policy.programs) {
    const path = program.programFileName;
    if (!hashed.has(path))
      warnings.push(`program ${path} has no file hash: any binary written there will run`);
    const participants = policy.identities.map((identity) =>
      rightsTableFor(policy, { kind: 'participant', id: identity.id }),
    );
    if (!participants.some((table) => hasRights(rightsAt(table, path), WasiRight.FD_EXECUTE))) {
      warnings.push(`nobody may execute ${path}`);
    }
    if (!participants.some((table) => hasRights(rightsAt(table, path), WasiRight.FD_WRITE))) {
      warnings.push(`nobody may write ${path}, so it can never be provisioned`);
    }
  }
  return warnings;
}
