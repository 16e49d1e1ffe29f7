// Executes a policy pipeline with Veracruz's semantics (execution-engine `execute_pipeline`): a
// program step needs the caller's execute right on the program file and runs with the pipeline's
// own rights; a sequence runs its steps in order and stops at the first failure; `if PATH` tests
// whether PATH exists in the file system (no rights needed), running the else branch, if any,
// otherwise. Our one addition: a step that exits with a non-zero code also ends the pipeline, and
// that code is the pipeline's result (Veracruz stops only on errors).
import {
  type PipelineExpr,
  type RightsTable,
  WasiRight,
  hasRights,
  normalizePath,
  rightsAt,
} from '../../protocol/index.js';
import { AccessDeniedError, FileNotFoundError } from '../errors.js';
import { provisionedModuleAt, runProvisioned } from '../native/provisioned.js';
import { nativeTimeoutMs } from './execute-in-worker.js';
import { DEFAULT_LIMITS, type RunLimits, type RunOptions, type RunResult } from './run-options.js';
import { runProgram } from './run-program.js';

export interface PipelineOptions extends Omit<RunOptions, 'program' | 'rights' | 'programName'> {
  /** Rights of the principal asking for the pipeline: needs FD_EXECUTE on every program it runs. */
  readonly callerRights: RightsTable;
  /** Rights each program runs with (the pipeline's file_rights in the policy). */
  readonly executionRights: RightsTable;
  /** Called before each program step, e.g. for progress lines. */
  readonly onStep?: (path: string) => void;
}

export interface PipelineResult {
  readonly exitCode: number;
  /** One entry per program that ran, in order. */
  readonly steps: ReadonlyArray<{ readonly path: string; readonly result: RunResult }>;
}

export async function runPipeline(
  expr: PipelineExpr,
  options: PipelineOptions,
): Promise<PipelineResult> {
  const steps: Array<{ path: string; result: RunResult }> = [];
  const exitCode = await evaluate(expr, options, steps);
  return { exitCode, steps };
}

async function evaluate(
  expr: PipelineExpr,
  options: PipelineOptions,
  steps: Array<{ path: string; result: RunResult }>,
): Promise<number> {
  switch (expr.kind) {
    case 'program':
      return runStep(normalizePath(expr.path), options, steps);
    case 'seq':
      for (const step of expr.steps) {
        const code = await evaluate(step, options, steps);
        if (code !== 0) return code;
      }
      return 0;
    case 'if':
      if (options.vfs.exists(expr.condition)) return evaluate(expr.then, options, steps);
      return expr.else ? evaluate(expr.else, options, steps) : 0;
  }
}

async function runStep(
  path: string,
  options: PipelineOptions,
  steps: Array<{ path: string; result: RunResult }>,
): Promise<number> {
  if (!hasRights(rightsAt(options.callerRights, path), WasiRight.FD_EXECUTE))
    throw new AccessDeniedError(path, 'execute');
  if (!options.vfs.exists(path)) throw new FileNotFoundError(path);
  options.onStep?.(path);
  const native = provisionedModuleAt(options.nativeModules, path);
  if (native !== undefined) {
    // A provisioned native module (Veracruz treats such a step as a native binary).
    const limits: RunLimits = { ...DEFAULT_LIMITS, ...options.limits };
    const outcome = await runProvisioned({
      name: native,
      path,
      vfs: options.vfs,
      rights: options.executionRights,
      memoryMib: limits.maxMemoryMib,
      timeoutMs: nativeTimeoutMs(limits),
    });
    options.onStdout?.(outcome.stdout);
    options.onStderr?.(outcome.stderr);
    const result = { exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr };
    steps.push({ path, result });
    return result.exitCode;
  }
  const program = options.vfs.readUnchecked(path);
  const result = await runProgram({
    ...options,
    program,
    rights: options.executionRights,
    programName: path,
  });
  steps.push({ path, result });
  return result.exitCode;
}

/**
 * Runs the program stored in the file system at `path` (a participant's request to execute a
 * program): the caller needs FD_EXECUTE on it, and it runs with `executionRights` (the program's
 * own file_rights in the policy).
 */
export async function runProgramFile(path: string, options: PipelineOptions): Promise<RunResult> {
  const steps: Array<{ path: string; result: RunResult }> = [];
  await runStep(normalizePath(path), options, steps);
  const step = steps[0];
  if (!step) throw new FileNotFoundError(path);
  return step.result;
}
