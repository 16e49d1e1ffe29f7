// The enclave's access decisions (phases 7 to 11, docs/architecture.md) as pure functions of the machine context
// and a request. Each returns the refusal to send back, or undefined when the request may proceed.
import type { ProvisionMode } from '../protocol/index.js';
import type { EnclaveRequestEvent } from './enclave-events.js';
import { failure, type Failure } from './failure.js';
import { mayDo, participantOf, type PolicyView } from './policy-view.js';

export interface RulesContext {
  readonly view: PolicyView;
  /** Paths known to exist in the virtual file system (provisioned or produced). */
  readonly files: readonly string[];
}

type Req<T extends EnclaveRequestEvent['type']> = Extract<EnclaveRequestEvent, { type: T }>;

function checkSender(view: PolicyView, from: number): Failure | undefined {
  return participantOf(view, from)
    ? undefined
    : failure('ERR_UNKNOWN_PARTICIPANT', `participant ${from} is not in the policy`);
}

/** What an upload declares, known from its first chunk on. */
interface UploadStart {
  readonly from: number;
  readonly path: string;
  /** `provision.program` writes; a data upload says how. */
  readonly mode: ProvisionMode;
}

/**
 * The refusal an upload meets whatever its bytes: an unknown sender, no write right on the path, or
 * an append to a path pinned by `file_hashes` (the pin names the whole file, so the policy's bytes
 * could never be what an append leaves there). A pure function of the policy view: the shell asks
 * it at every chunk, before buffering anything, and the machine again on the whole file.
 */
export function checkUpload(view: PolicyView, upload: UploadStart): Failure | undefined {
  const { from, path } = upload;
  const sender = checkSender(view, from);
  if (sender) return sender;
  if (!mayDo(view, from, 'write', path)) {
    return failure('ERR_ACCESS_DENIED', `participant ${from} may not write ${path}`, { path });
  }
  if (upload.mode === 'append' && pinOf(view, path) !== undefined) {
    return failure('ERR_FILE_HASH_MISMATCH', `${path} is pinned by file_hashes: no appends`, {
      path,
      mode: 'append',
    });
  }
  return undefined;
}

export function checkProvision(
  ctx: RulesContext,
  event: Req<'provision.program'> | Req<'provision.data'>,
): Failure | undefined {
  const mode = event.type === 'provision.data' ? event.mode : 'write';
  const refused = checkUpload(ctx.view, { from: event.from, path: event.path, mode });
  if (refused) return refused;
  const expected = pinOf(ctx.view, event.path);
  if (expected !== undefined && event.hash !== expected) {
    return failure(
      'ERR_FILE_HASH_MISMATCH',
      `${event.path} does not match its hash in the policy`,
      {
        path: event.path,
      },
    );
  }
  return undefined;
}

function pinOf(view: PolicyView, path: string): string | undefined {
  return Object.hasOwn(view.fileHashes, path) ? view.fileHashes[path] : undefined;
}

/** The programs a compute request would run, or the refusal. */
export function planCompute(
  ctx: RulesContext,
  event: Req<'compute.request'>,
): { target: string; programs: readonly string[]; pipeline?: string } | Failure {
  const sender = checkSender(ctx.view, event.from);
  if (sender) return sender;
  let target: string;
  let programs: readonly string[];
  if (event.pipeline !== undefined) {
    const pipeline = ctx.view.pipelines.find((p) => p.name === event.pipeline);
    if (!pipeline) return failure('ERR_PIPELINE_NOT_FOUND', `no pipeline named ${event.pipeline}`);
    target = pipeline.name;
    programs = pipeline.programs;
  } else {
    target = event.program ?? '';
    programs = [target];
  }
  for (const program of programs) {
    if (!mayDo(ctx.view, event.from, 'execute', program)) {
      return failure('ERR_ACCESS_DENIED', `participant ${event.from} may not execute ${program}`, {
        path: program,
      });
    }
  }
  for (const program of programs) {
    if (!ctx.view.programs.includes(program) || !ctx.files.includes(program)) {
      return failure('ERR_PROGRAM_NOT_FOUND', `${program} has not been provisioned`, {
        path: program,
      });
    }
  }
  return event.pipeline === undefined
    ? { target, programs }
    : { target, programs, pipeline: event.pipeline };
}

export function checkRead(ctx: RulesContext, event: Req<'result.read'>): Failure | undefined {
  const sender = checkSender(ctx.view, event.from);
  if (sender) return sender;
  if (!mayDo(ctx.view, event.from, 'read', event.path)) {
    return failure('ERR_ACCESS_DENIED', `participant ${event.from} may not read ${event.path}`, {
      path: event.path,
    });
  }
  if (!ctx.files.includes(event.path)) {
    return failure('ERR_NO_RESULT', `${event.path} does not exist (yet)`, { path: event.path });
  }
  return undefined;
}

/** Who still has to ask before the computation shuts down (empty: shut down now). */
export function shutdownWaitingFor(view: PolicyView, votes: readonly number[]): readonly number[] {
  if (view.shutdown.rule === 'any') return [];
  return view.shutdown.of.filter((id) => !votes.includes(id));
}

export function checkShutdown(
  ctx: RulesContext,
  event: Req<'shutdown.request'>,
): Failure | undefined {
  const sender = checkSender(ctx.view, event.from);
  if (sender) return sender;
  if (ctx.view.shutdown.rule === 'consensus' && !ctx.view.shutdown.of.includes(event.from)) {
    return failure('ERR_ACCESS_DENIED', `participant ${event.from} has no say in shutdown`);
  }
  return undefined;
}

export function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && 'code' in value;
}
