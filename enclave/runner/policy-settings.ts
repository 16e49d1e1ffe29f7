// What `vc run --policy FILE --principal ID` takes from a Veracruz policy (parsed and checked by
// protocol/policy): the principal's rights table, enable_clock, max_memory_mib and our extensions
// (execution timeout, storage quota, deterministic mode). ID is a participant id (a number), a
// program file name (starting with /) or a pipeline name.
import {
  UsageError,
  loadPolicyFile,
  parsePipeline,
  printPipeline,
  rightsTableFor,
  type PipelineExpr,
  type Policy,
  type Principal,
  type RightsTable,
} from '../../protocol/index.js';
import type { RunLimits } from './run-options.js';

export interface PolicyRunSettings {
  readonly policy: Policy;
  readonly principal: Principal;
  /** The principal's own rights: what a program runs with, or what a pipeline's caller holds. */
  readonly rights: RightsTable;
  readonly clock: boolean;
  readonly limits: Partial<RunLimits>;
  readonly quotaBytes: number | undefined;
  /** Set when the policy asks for deterministic mode (seed 0 unless --seed says otherwise). */
  readonly seed: number | undefined;
}

function parsePrincipal(id: string): Principal {
  if (/^\d+$/.test(id)) return { kind: 'participant', id: Number(id) };
  if (id.startsWith('/')) return { kind: 'program', path: id };
  return { kind: 'pipeline', name: id };
}

function named(policy: Policy, principal: Principal): boolean {
  switch (principal.kind) {
    case 'participant':
      return policy.identities.some((i) => i.id === principal.id);
    case 'program':
      return policy.programs.some((p) => p.programFileName === principal.path);
    case 'pipeline':
      return policy.pipelines.some((p) => p.name === principal.name);
  }
}

export async function policyRunSettings(file: string, id: string): Promise<PolicyRunSettings> {
  const { policy } = await loadPolicyFile(file);
  const principal = parsePrincipal(id);
  if (!named(policy, principal)) throw new UsageError(`the policy names no principal "${id}"`);
  const ext = policy.extensions;
  return {
    policy,
    principal,
    rights: rightsTableFor(policy, principal),
    clock: policy.enableClock,
    limits: {
      maxMemoryMib: policy.maxMemoryMib,
      ...(ext.executionTimeoutMs === undefined ? {} : { timeoutMs: ext.executionTimeoutMs }),
    },
    quotaBytes: ext.storageQuotaBytes,
    seed: ext.deterministic ? 0 : undefined,
  };
}

/** The rights a pipeline runs with: those of the policy pipeline with the same text (or name). */
export function pipelineRights(
  policy: Policy,
  text: string,
): { expr: PipelineExpr; rights: RightsTable } {
  const byName = policy.pipelines.find((p) => p.name === text);
  const expr = parsePipeline(byName ? byName.pipeline : text);
  const printed = printPipeline(expr);
  const entry =
    byName ?? policy.pipelines.find((p) => printPipeline(parsePipeline(p.pipeline)) === printed);
  if (!entry) throw new UsageError('the policy has no pipeline with this text or name');
  return { expr, rights: entry.fileRights };
}
