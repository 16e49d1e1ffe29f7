// Path handling for the virtual file system. Files live at absolute POSIX paths (`/input/a.csv`);
// the three pseudo files `stdin`, `stdout`, `stderr` have bare names, as in Veracruz's policies.
import { BadPathError } from '../errors.js';

export const PSEUDO_FILES = ['stdin', 'stdout', 'stderr'] as const;
export type PseudoFile = (typeof PSEUDO_FILES)[number];

export function isPseudoFile(path: string): path is PseudoFile {
  return (PSEUDO_FILES as readonly string[]).includes(path);
}

/**
 * Splits an absolute path into components, resolving `.` and `..` lexically. A `..` above the
 * root is refused rather than clamped, so that a path never silently means something else.
 */
export function splitPath(path: string): string[] {
  if (!path.startsWith('/')) throw new BadPathError(path, 'not an absolute path');
  if (path.includes('\0')) throw new BadPathError(path, 'contains NUL');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw new BadPathError(path, 'goes above the root');
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out;
}

/** The canonical spelling of a path: pseudo files unchanged, others `/a/b` (root is `/`). */
export function normalizePath(path: string): string {
  if (isPseudoFile(path)) return path;
  const rooted = path.startsWith('/') ? path : `/${path.replace(/^\.\//, '')}`;
  return joinPath(splitPath(rooted));
}

export function joinPath(parts: readonly string[]): string {
  return `/${parts.join('/')}`;
}

/** True when `path` is `prefix` or lies below it (component-wise, so `/out` is not under `/o`). */
export function isUnder(path: string, prefix: string): boolean {
  if (prefix === '/') return path.startsWith('/');
  return path === prefix || path.startsWith(`${prefix}/`);
}
