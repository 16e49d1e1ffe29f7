// Phase 9 inside the enclave: runs a provisioned program (with the program principal's rights) or a
// policy pipeline (with the pipeline's rights, the caller needing execute on each program) in a
// worker thread, within the policy's limits, over the computation's virtual file system.
import {
  type Vfs,
  type RunLimits,
  provisionedModuleAt,
  runProgram,
  runPipeline,
} from '../../enclave/index.js';
import { parsePipeline, type Policy, type RightsTable } from '../../protocol/index.js';

export interface ExecutionRequest {
  readonly target: string;
  readonly pipeline?: string;
  /** Rights of the participant asking (pipelines check execute per program). */
  readonly callerRights: RightsTable;
}

function limitsOf(policy: Policy): Partial<RunLimits> {
  return {
    maxMemoryMib: policy.maxMemoryMib,
    timeoutMs: policy.extensions.executionTimeoutMs ?? 60_000,
  };
}

export async function execute(
  policy: Policy,
  vfs: Vfs,
  request: ExecutionRequest,
): Promise<number> {
  const common = {
    vfs,
    nativeModules: policy.nativeModules,
    limits: limitsOf(policy),
    clock: policy.enableClock,
    ...(policy.extensions.deterministic ? { seed: 0 } : {}),
  };
  if (request.pipeline !== undefined) {
    const pipeline = policy.pipelines.find((p) => p.name === request.pipeline);
    if (!pipeline) throw new Error(`pipeline ${request.pipeline} vanished from the policy`);
    const result = await runPipeline(parsePipeline(pipeline.pipeline), {
      ...common,
      callerRights: request.callerRights,
      executionRights: pipeline.fileRights,
    });
    return result.exitCode;
  }
  const program = policy.programs.find((p) => p.programFileName === request.target);
  if (provisionedModuleAt(policy.nativeModules, request.target) !== undefined) {
    // A provisioned native module asked for as a program: its rights are its program entry's.
    const result = await runPipeline(
      { kind: 'program', path: request.target },
      {
        ...common,
        callerRights: request.callerRights,
        executionRights: program?.fileRights ?? [],
      },
    );
    return result.exitCode;
  }
  const result = await runProgram({
    ...common,
    program: vfs.readUnchecked(request.target),
    rights: program?.fileRights ?? [],
    programName: request.target,
  });
  return result.exitCode;
}
