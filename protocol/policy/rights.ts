// Rights: Veracruz's r/w/x shorthands over WASI rights bits, rights tables keyed by path prefix,
// and the one rights lookup (longest matching prefix; stdin/stdout/stderr exact) that the policy
// checks, the enclave machine and the virtual file system all decide with.
import { PolicyError } from './errors.js';
import { canonicalPathProblem, isPseudoFile, isUnder, normalizePath } from './paths.js';
import type { Policy, Principal, RightsTable } from './types.js';
import { RIGHTS_ALL, RIGHTS_EXECUTE, RIGHTS_READ, RIGHTS_WRITE, WasiRight } from './wasi-rights.js';

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

/** Why a rights key (`file_name`) is not well formed, or undefined when it is. */
export function rightsPathProblem(key: string): string | undefined {
  if (isPseudoFile(key)) return undefined;
  if (!key.startsWith('/'))
    return 'must be absolute (start with /) or one of stdin, stdout, stderr';
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'contains a control character';
  // A trailing `/` marks a directory key; the rest must be the path's normal form (and `//` is not
  // a spelling of the root).
  const body = key.replace(/(.)\/$/, '$1');
  return canonicalPathProblem(body === '/' ? key : body);
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

/**
 * The rights a table grants on `path`: the longest key that is the path or a directory above it
 * decides (whole segments: `/output` and `/output/` cover `/output/x`, not `/outputs`); a pseudo
 * file matches only its own key and `/` does not cover it; no matching key gives 0. Path and keys
 * are normalised first (paths.ts), so `/input/../program/x` cannot borrow the rights of `/input/`,
 * and a path that climbs above the root is refused (ERR_BAD_PATH) rather than looked up.
 */
export function rightsAt(table: RightsTable, path: string): number {
  const target = normalizePath(path);
  let best = -1;
  let rights = 0;
  for (const entry of table) {
    const key = normalizePath(entry.path);
    const matches =
      isPseudoFile(target) || isPseudoFile(key) ? key === target : isUnder(target, key);
    if (matches && key.length > best) {
      best = key.length;
      rights = entry.rights;
    }
  }
  return rights;
}
