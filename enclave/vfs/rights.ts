// What the sandbox derives from a principal's rights table beyond the lookup itself (which is
// protocol/policy's `rightsAt`): the directories pre-opened for a guest, and the table of a
// principal allowed everything.
import {
  PSEUDO_FILES,
  isPseudoFile,
  normalizePath,
  type RightsTable,
  RIGHTS_ALL,
} from '../../protocol/index.js';

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
    ...PSEUDO_FILES.map((path) => ({ path, rights: RIGHTS_ALL })),
  ];
}
