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

const PSEUDO = ['stdin', 'stdout', 'stderr'];

/**
 * Rights granted on `path` by a table: the longest key that is the path or a directory above it
 * decides; pseudo files match exactly. Same semantics as protocol/policy's `rightsAt` (cross-checked
 * in actors/policy-view.test.ts), restated here because machines import only types from protocol/.
 */
export function rightsOn(table: readonly FileRight[], path: string): number {
  let best: FileRight | undefined;
  for (const entry of table) {
    if (!keyMatches(entry.path, path)) continue;
    if (best === undefined || keyLength(entry.path) > keyLength(best.path)) best = entry;
  }
  return best?.rights ?? 0;
}

function keyMatches(key: string, path: string): boolean {
  if (PSEUDO.includes(key) || PSEUDO.includes(path)) return key === path;
  const base = key.endsWith('/') ? key.slice(0, -1) : key;
  return base === '' || path === base || path.startsWith(`${base}/`);
}

function keyLength(key: string): number {
  return key.endsWith('/') ? key.length - 1 : key.length;
}

export function participantOf(view: PolicyView, id: number) {
  return view.participants.find((p) => p.id === id);
}

export function mayDo(view: PolicyView, participant: number, op: Operation, path: string): boolean {
  const rights = participantOf(view, participant)?.rights ?? [];
  return hasRights(rightsOn(rights, path), NEEDED[op]);
}
