// The part of a policy the enclave machine decides with, pre-digested by actors/ into plain data
// (pipelines parsed into their program lists, file hashes as a map). Plain data keeps the machine
// free of parsers and makes its input serialisable for the trace and replay.
import type { FileRight } from '../protocol/policy/types.js';
import { WasiRight, hasRights } from '../protocol/policy/wasi-rights.js';

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

/** Rights granted on `path` by a table: the longest matching prefix decides; pseudo files match exactly. */
export function rightsOn(table: readonly FileRight[], path: string): number {
  let best: FileRight | undefined;
  for (const entry of table) {
    const matches = path.startsWith('/') ? prefixMatches(entry.path, path) : entry.path === path;
    if (matches && (best === undefined || entry.path.length > best.path.length)) best = entry;
  }
  return best?.rights ?? 0;
}

function prefixMatches(prefix: string, path: string): boolean {
  if (!prefix.startsWith('/')) return false;
  if (prefix.endsWith('/')) return path.startsWith(prefix);
  return path === prefix || path.startsWith(`${prefix}/`);
}

export function participantOf(view: PolicyView, id: number) {
  return view.participants.find((p) => p.id === id);
}

export function mayDo(view: PolicyView, participant: number, op: Operation, path: string): boolean {
  const rights = participantOf(view, participant)?.rights ?? [];
  return hasRights(rightsOn(rights, path), NEEDED[op]);
}
