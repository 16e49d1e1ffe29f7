// Rights: Veracruz's r/w/x shorthands over WASI rights bits, rights tables keyed by path prefix,
// and the lookup the virtual file system uses (longest matching prefix; stdin/stdout/stderr exact).
import { PolicyError } from './errors.js';
import type { FileRight, Policy, Principal, RightsTable } from './types.js';
import { RIGHTS_ALL, RIGHTS_EXECUTE, RIGHTS_READ, RIGHTS_WRITE, WasiRight } from './wasi-rights.js';

/** The pseudo files of the standard streams; their rights keys match exactly, never by prefix. */
export const PSEUDO_PATHS: readonly string[] = ['stdin', 'stdout', 'stderr'];

const SHORTHANDS: ReadonlyArray<readonly [string, number]> = [
  ['r', RIGHTS_READ],
  ['w', RIGHTS_WRITE],
  ['x', RIGHTS_EXECUTE],
];

function badRights(spec: string | number, why: string): PolicyError {
  return new PolicyError(
    'ERR_POLICY_BAD_RIGHTS',
    '$',
    `bad rights ${JSON.stringify(spec)}: ${why}`,
    {
      details: { spec },
    },
  );
}

/**
 * Rights from a shorthand (`r`, `w`, `x` and combinations such as `rw`, `rwx`, in any order) or a
 * WASI bit set (a number, or its decimal text). Bits beyond Veracruz's FD_EXECUTE are refused.
 */
export function parseRights(spec: string | number): number {
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 0 || spec > RIGHTS_ALL) {
      throw badRights(spec, `not a WASI rights bit set (0..${RIGHTS_ALL})`);
    }
    return spec;
  }
  const text = spec.trim();
  if (/^[0-9]{1,10}$/.test(text)) return parseRights(Number(text));
  if (!/^[rwx]{1,3}$/.test(text) || new Set(text).size !== text.length) {
    throw badRights(spec, 'use r, w, x (each at most once) or a decimal WASI bit set');
  }
  let rights = 0;
  for (const [letter, bits] of SHORTHANDS) if (text.includes(letter)) rights |= bits;
  return rights;
}

/** The shortest text that parseRights reads back as `rights`: letters when exact, else decimal. */
export function formatRights(rights: number): string {
  for (let mask = 1; mask < 8; mask += 1) {
    let union = 0;
    let letters = '';
    SHORTHANDS.forEach(([letter, bits], index) => {
      if (mask & (1 << index)) {
        union |= bits;
        letters += letter;
      }
    });
    if (union === rights) return letters;
  }
  return String(rights);
}

/** Lowercase WASI names of the bits set, e.g. `['fd_read', 'fd_seek']`. */
export function rightNames(rights: number): string[] {
  return Object.entries(WasiRight)
    .filter(([, bit]) => (rights & bit) !== 0)
    .map(([name]) => name.toLowerCase());
}

/**
 * Normalises a path inside the virtual file system: pseudo paths stay as they are; everything else
 * becomes absolute with `.`, `..` and repeated slashes resolved (so `/input/../program/x` can never
 * borrow the rights of `/input/`). A trailing slash is kept: it marks a directory key.
 */
export function normalizeVfsPath(path: string): string {
  if (PSEUDO_PATHS.includes(path)) return path;
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const trailing = path.endsWith('/') && parts.length > 0 ? '/' : '';
  return `/${parts.join('/')}${trailing}`;
}

/** Why a rights key (`file_name`) is not well formed, or undefined when it is. */
export function rightsPathProblem(key: string): string | undefined {
  if (PSEUDO_PATHS.includes(key)) return undefined;
  if (key.length === 0) return 'empty path';
  if (!key.startsWith('/'))
    return 'must be absolute (start with /) or one of stdin, stdout, stderr';
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'contains a control character';
  if (key.includes('//')) return 'contains an empty path segment (//)';
  if (key.split('/').some((part) => part === '.' || part === '..'))
    return 'contains . or .. segments';
  return undefined;
}

/** The rights table of a principal; a principal the policy does not name has no rights at all. */
export function rightsTableFor(policy: Policy, principal: Principal): RightsTable {
  switch (principal.kind) {
    case 'participant':
      return policy.identities.find((identity) => identity.id === principal.id)?.fileRights ?? [];
    case 'program':
      return (
        policy.programs.find((program) => program.programFileName === principal.path)?.fileRights ??
        []
      );
    case 'pipeline':
      return (
        policy.pipelines.find((pipeline) => pipeline.name === principal.name)?.fileRights ?? []
      );
  }
}

function keyMatches(key: string, path: string): boolean {
  if (PSEUDO_PATHS.includes(key) || PSEUDO_PATHS.includes(path)) return key === path;
  const base = key.endsWith('/') ? key.slice(0, -1) : key;
  return base === '' || path === base || path.startsWith(`${base}/`);
}

function keyLength(key: string): number {
  return key.endsWith('/') ? key.length - 1 : key.length;
}

/** The entry that governs `path`: the longest key that is the path or a directory above it. */
export function matchingRight(table: RightsTable, path: string): FileRight | undefined {
  const target = normalizeVfsPath(path).replace(/(.)\/$/, '$1');
  let best: FileRight | undefined;
  for (const entry of table) {
    if (!keyMatches(entry.path, target)) continue;
    if (!best || keyLength(entry.path) > keyLength(best.path)) best = entry;
  }
  return best;
}

/** The rights a table grants on `path` (0 when no key matches). */
export function rightsAt(table: RightsTable, path: string): number {
  return matchingRight(table, path)?.rights ?? 0;
}
