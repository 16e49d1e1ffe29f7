// Paths of the enclave's virtual file system, with one set of rules for everyone who reads them:
// the policy (rights keys, program and file-hash paths, the rights lookup), the message validator,
// the enclave machine (through the rights lookup) and the virtual file system with its WASI hosts.
//
// The rules:
// - `stdin`, `stdout` and `stderr`, spelt exactly so, are the pseudo files of the standard streams
//   (as in Veracruz's policies). They are not in the tree: `/stdout` is an ordinary file.
// - Every other path names a node of one tree whose root is `/`. A relative path is read from the
//   root (`input/a` is `/input/a`).
// - Empty segments (`//`, a trailing `/`) and `.` segments are folded away; `..` removes the segment
//   before it. A `..` that would climb above the root is refused with ERR_BAD_PATH, never clamped:
//   clamping would make `/input/../../etc` silently mean `/etc`, a path its writer did not name.
// - An empty path and a path containing NUL are refused with ERR_BAD_PATH.
// - The normal form is `/` or `/a/b` (no trailing slash). A path is canonical when normalising gives
//   it back unchanged; messages carry only canonical paths, and a policy's keys must be canonical
//   (a rights key may add a trailing `/`, its mark of a directory key).
// The WASI 0.2 host resolves a guest's relative path against a directory with the same rules, that
// directory taking the place of the root (`resolveBeneath`), and answers the refusal as an error
// code. The preview 1 host walks a path one component at a time instead (it follows symbolic
// links), under the same refusal of anything above its directory (enclave/wasi/path-calls.ts).
import { VcError } from '../errors.js';

/** The pseudo files of the standard streams. */
export const PSEUDO_FILES = ['stdin', 'stdout', 'stderr'] as const;
export type PseudoFile = (typeof PSEUDO_FILES)[number];

export function isPseudoFile(path: string): path is PseudoFile {
  return (PSEUDO_FILES as readonly string[]).includes(path);
}

/**
 * A path breaks the rules above (`details.reason` says which), or names the wrong kind of node
 * (a directory where a file is wanted, or the reverse).
 */
export class BadPathError extends VcError {
  readonly reason: string;

  constructor(path: string, reason: string) {
    super('ERR_BAD_PATH', `${path}: ${reason}`, { details: { path, reason } });
    this.reason = reason;
  }
}

/** The segments of `path` read from the root, with `.`, `..` and empty segments resolved. */
function segments(path: string, whole: string = path): string[] {
  if (path.length === 0) throw new BadPathError(whole, 'empty path');
  if (path.includes('\0')) throw new BadPathError(whole, 'contains NUL');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') out.push(part);
    else if (out.length === 0) throw new BadPathError(whole, '.. goes above the root');
    else out.pop();
  }
  return out;
}

/** The segments of a path in the tree (`/` gives `[]`); a pseudo file is not in the tree. */
export function splitPath(path: string): string[] {
  if (isPseudoFile(path)) throw new BadPathError(path, 'a standard stream is not in the tree');
  return segments(path);
}

export function joinPath(parts: readonly string[]): string {
  return `/${parts.join('/')}`;
}

/** The normal form of `path`: a pseudo file unchanged, anything else `/` or `/a/b`. */
export function normalizePath(path: string): string {
  return isPseudoFile(path) ? path : joinPath(segments(path));
}

/** Why `path` is not canonical (the reason of the refusal, or what normalising would change). */
export function canonicalPathProblem(path: string): string | undefined {
  let normal: string;
  try {
    normal = normalizePath(path);
  } catch (error) {
    if (error instanceof BadPathError) return error.reason;
    throw error;
  }
  if (normal === path) return undefined;
  return path.startsWith('/')
    ? `is not normalised (no //, . or .. segments, no trailing /; would be ${normal})`
    : 'must be absolute (start with /) or one of stdin, stdout, stderr';
}

/**
 * `relative` resolved below the directory `base` (a normalised path), with `base` as the root:
 * a `..` that would climb above `base` is refused (ERR_BAD_PATH), at whatever depth it occurs.
 */
export function resolveBeneath(base: string, relative: string): string {
  return joinPath([...splitPath(base), ...segments(relative, `${base}/${relative}`)]);
}

/** True when `path` is `prefix` or lies below it, by whole segments (`/out` is not under `/o`). */
export function isUnder(path: string, prefix: string): boolean {
  if (prefix === '/') return path.startsWith('/');
  return path === prefix || path.startsWith(`${prefix}/`);
}
