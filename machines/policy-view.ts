// The part of a policy the enclave machine decides with, pre-digested by actors/ into plain data
// (pipelines parsed into their program lists, file hashes as a map). Plain data keeps the machine
// free of parsers and makes its input serialisable for the trace and replay.
import { rightsAt, type FileRight, WasiRight, hasRights } from '../protocol/index.js';

export interface PolicyView {
  readonly participants: readonly { readonly id: number; readonly rights: readonly FileRight[] }[];
  /** Program paths the policy lists (`programs[].program_file_name`). */
  readonly programs: readonly string[];
  readonly pipelines: readonly { readonly name: string; readonly programs: readonly string[] }[];
  /** path -> lowercase hex SHA-256, from `file_hashes`. */
  readonly fileHashes: Readonly<Record<string, string>>;
  readonly shutdown:
    { readonly rule: 'any' } | { readonly rule: 'consensus'; readonly of: readonly number[] };
}

export type Operation = 'read' | 'write' | 'execute';

const NEEDED: Record<Operation, number> = {
  read: WasiRight.FD_READ,
  write: WasiRight.FD_WRITE,
  execute: WasiRight.FD_EXECUTE,
};

export function participantOf(view: PolicyView, id: number) {
  return view.participants.find((p) => p.id === id);
}

/**
 * Whether a participant's rights allow `op` on `path`, by protocol/policy's `rightsAt`: the one
 * lookup the policy checks and the virtual file system use too. The paths that reach it (from
 * validated messages, or the policy's own program lists) are canonical, so it never refuses one.
 */
export function mayDo(view: PolicyView, participant: number, op: Operation, path: string): boolean {
  const rights = participantOf(view, participant)?.rights ?? [];
  return hasRights(rightsAt(rights, path), NEEDED[op]);
}
