// Rights lookup with Veracruz's semantics: a principal's rights table maps path prefixes (and the
// pseudo files stdin/stdout/stderr) to WASI rights bit sets; the longest matching prefix decides, and
// a path no entry covers has no rights at all.
import type { RightsTable } from '../../protocol/policy/types.js';
import { RIGHTS_ALL } from '../../protocol/policy/wasi-rights.js';
import { isPseudoFile, isUnder, normalizePath } from './paths.js';

/** Rights a principal holds at `path` (already normalized or not). */
export function rightsAt(table: RightsTable, path: string): number {
  const target = normalizePath(path);
  let best = -1;
  let rights = 0;
  for (const entry of table) {
    const prefix = normalizePath(entry.path);
    const matches = isPseudoFile(target)
      ? prefix === target
      : !isPseudoFile(prefix) && isUnder(target, prefix);
    if (matches && prefix.length > best) {
      best = prefix.length;
      rights = entry.rights;
    }
  }
  return rights;
}

/**
 * The directories pre-opened for a principal, in table order, without duplicates; they become fds
 * 3, 4, ... in the guest. Given `isDirectory`, a key is a directory when it ends with `/` (the
 * policy's mark of a directory key) or names an existing directory, so a key for one file
 * (`/output/result.txt`) is not pre-opened; without it every non-pseudo key is taken.
 */
export function preopenDirs(table: RightsTable, isDirectory?: (path: string) => boolean): string[] {
  const dirs: string[] = [];
  for (const entry of table) {
    const path = normalizePath(entry.path);
    if (isPseudoFile(path) || dirs.includes(path)) continue;
    if (isDirectory && !entry.path.endsWith('/') && !isDirectory(path)) continue;
    dirs.push(path);
  }
  return dirs;
}

/** The table of a principal allowed everything everywhere (for `vc run` without a policy). */
export function allRights(dirs: readonly string[]): RightsTable {
  return [
    ...dirs.map((path) => ({ path: path.endsWith('/') ? path : `${path}/`, rights: RIGHTS_ALL })),
    { path: 'stdin', rights: RIGHTS_ALL },
    { path: 'stdout', rights: RIGHTS_ALL },
    { path: 'stderr', rights: RIGHTS_ALL },
  ];
}
