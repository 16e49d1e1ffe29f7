import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatRights,
  parseRights,
  rightNames,
  rightsAt,
  rightsPathProblem,
  rightsTableFor,
} from './rights.js';
import { RIGHTS_ALL, RIGHTS_EXECUTE, RIGHTS_READ, RIGHTS_WRITE, WasiRight } from './wasi-rights.js';
import type { Policy, RightsTable } from './types.js';

const LETTERS: Record<string, number> = { r: RIGHTS_READ, w: RIGHTS_WRITE, x: RIGHTS_EXECUTE };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

test("Veracruz's shorthands are the WASI bits vc-pgen uses", () => {
  assert.equal(parseRights('r'), 24582);
  assert.equal(parseRights('w'), 534084);
  assert.equal(parseRights('x'), 536879108);
  assert.equal(
    parseRights('r'),
    WasiRight.FD_READ | WasiRight.FD_SEEK | WasiRight.PATH_OPEN | WasiRight.FD_READDIR,
  );
  assert.equal(parseRights('rw'), 550470);
  assert.equal(parseRights('xwr'), parseRights('rwx'));
  assert.equal(parseRights('550470'), 550470);
  assert.equal(parseRights(0), 0);
  assert.deepEqual(rightNames(parseRights('x')), ['fd_seek', 'path_open', 'fd_execute']);
});

test('malformed rights are refused with ERR_POLICY_BAD_RIGHTS', () => {
  for (const spec of ['', 'rwz', 'rr', 'read', '-1', String(RIGHTS_ALL + 1), '1.5', 'r w']) {
    assert.equal(
      codeOf(() => parseRights(spec)),
      'ERR_POLICY_BAD_RIGHTS',
      spec,
    );
  }
  for (const spec of [-1, 1.5, 2 ** 30, Number.NaN]) {
    assert.equal(
      codeOf(() => parseRights(spec)),
      'ERR_POLICY_BAD_RIGHTS',
      String(spec),
    );
  }
});

test('property: any non-empty set of shorthand letters, in any order, is the union of its bits', () => {
  fc.assert(
    fc.property(
      fc
        .subarray(['r', 'w', 'x'], { minLength: 1 })
        .chain((letters) => fc.shuffledSubarray(letters, { minLength: letters.length })),
      (letters) => {
        const expected = letters.reduce((bits, letter) => bits | (LETTERS[letter] ?? 0), 0);
        assert.equal(parseRights(letters.join('')), expected);
        assert.equal(
          formatRights(expected),
          ['r', 'w', 'x'].filter((l) => letters.includes(l)).join(''),
        );
      },
    ),
  );
});

test('property: formatRights is read back exactly by parseRights for every bit set', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: RIGHTS_ALL }), (bits) => {
      assert.equal(parseRights(formatRights(bits)), bits);
    }),
  );
});

const TABLE: RightsTable = [
  { path: '/', rights: RIGHTS_READ },
  { path: '/input/', rights: RIGHTS_WRITE },
  { path: '/input/secret/', rights: 0 },
  { path: '/output', rights: RIGHTS_READ | RIGHTS_WRITE },
  { path: 'stdout', rights: RIGHTS_READ },
];

test('rightsAt: the longest matching path prefix decides, by whole path segments', () => {
  assert.equal(rightsAt(TABLE, '/input/a.dat'), RIGHTS_WRITE);
  assert.equal(rightsAt(TABLE, '/input'), RIGHTS_WRITE);
  assert.equal(rightsAt(TABLE, '/input/secret/key'), 0);
  assert.equal(rightsAt(TABLE, '/output/x/y'), RIGHTS_READ | RIGHTS_WRITE);
  // `/output` is not a prefix of `/outputs`: segments, not characters.
  assert.equal(rightsAt(TABLE, '/outputs/x'), RIGHTS_READ);
  assert.equal(rightsAt(TABLE, 'input/b'), RIGHTS_WRITE);
  assert.equal(rightsAt([{ path: '/program/', rights: 1 }], '/other'), 0);
});

test('rightsAt: stdin/stdout/stderr match exactly and never inherit from /', () => {
  assert.equal(rightsAt(TABLE, 'stdout'), RIGHTS_READ);
  assert.equal(rightsAt(TABLE, 'stdin'), 0);
  assert.equal(rightsAt([{ path: '/', rights: RIGHTS_ALL }], 'stderr'), 0);
  assert.equal(rightsAt([{ path: 'stdout', rights: 1 }], '/stdout'), 0);
});

test('rightsAt: .. and // cannot borrow the rights of another prefix', () => {
  const table: RightsTable = [{ path: '/input/', rights: RIGHTS_WRITE }];
  assert.equal(rightsAt(table, '/input/../program/evil.wasm'), 0);
  assert.equal(rightsAt(table, '/input/./../input/ok'), RIGHTS_WRITE);
  // Climbing above the root and back is refused, not clamped (see the next test).
  assert.equal(
    codeOf(() => rightsAt(table, '/input/./../../input/ok')),
    'ERR_BAD_PATH',
  );
  assert.equal(rightsAt(table, '//input//a/./b'), RIGHTS_WRITE);
  assert.equal(rightsAt([{ path: '/a/b/', rights: RIGHTS_READ }], 'a/./b//c'), RIGHTS_READ);
});

test('rightsAt: a path that climbs above the root is refused with ERR_BAD_PATH, not looked up', () => {
  // Clamped, `/input/../../etc` would be `/etc`, and `/` would grant it.
  const table: RightsTable = [{ path: '/', rights: RIGHTS_ALL }];
  assert.equal(
    codeOf(() => rightsAt(table, '/input/../../etc')),
    'ERR_BAD_PATH',
  );
  assert.equal(
    codeOf(() => rightsAt(table, '/../..')),
    'ERR_BAD_PATH',
  );
});

test('rightsAt: keys are compared in their normal form, and the first of equal keys wins', () => {
  const table: RightsTable = [
    { path: '/output/', rights: RIGHTS_WRITE },
    { path: '/output', rights: RIGHTS_READ },
    { path: '/output/result.txt', rights: RIGHTS_EXECUTE },
  ];
  assert.equal(rightsAt(table, '/output/a'), RIGHTS_WRITE);
  assert.equal(rightsAt(table, '/output'), RIGHTS_WRITE);
  assert.equal(rightsAt(table, '/output/result.txt'), RIGHTS_EXECUTE, 'a key for one file');
  assert.equal(rightsAt(table, '/output/result.txt/x'), RIGHTS_EXECUTE);
  assert.equal(rightsAt(table, '/output/result.txt2'), RIGHTS_WRITE);
  assert.equal(rightsAt([], '/a'), 0);
});

test('rightsAt: one lookup for every table the enclave sees', () => {
  // The cases the enclave machine's former copy of the lookup was cross-checked on.
  const table: RightsTable = [
    { path: '/', rights: 1 },
    { path: '/input/', rights: 2 },
    { path: '/input/private', rights: 4 },
    { path: '/output', rights: 8 },
    { path: 'stdin', rights: 16 },
    { path: '/program/a.wasm', rights: 32 },
  ];
  const expected: Record<string, number> = {
    '/x': 1,
    '/input/a': 2,
    '/input/private': 4,
    '/input/private/b': 4,
    '/input/privateer': 2,
    '/output/r': 8,
    '/outputs': 1,
    stdin: 16,
    stdout: 0,
    '/program/a.wasm': 32,
    '/program/a.wasm2': 1,
  };
  for (const [path, rights] of Object.entries(expected)) {
    assert.equal(rightsAt(table, path), rights, path);
  }
});

test('rights keys: absolute and canonical, a trailing / marking a directory, or a pseudo file', () => {
  for (const key of ['/', '/input/', '/input', '/output/result.txt', 'stdout']) {
    assert.equal(rightsPathProblem(key), undefined, key);
  }
  for (const key of ['', 'input/', '//', '/a//', '/a//b', '/./a', '/a/../b/', '/a\nb', '/a\0b']) {
    assert.ok(rightsPathProblem(key), key);
  }
  assert.match(rightsPathProblem('/input/../../etc/') ?? '', /above the root/);
});

test('rightsTableFor: participants by id, programs by path, pipelines by name; strangers get nothing', () => {
  const table: RightsTable = [{ path: '/x/', rights: 1 }];
  const policy = {
    identities: [{ id: 7, certificate: '', fileRights: table }],
    programs: [{ id: 0, programFileName: '/p.wasm', fileRights: table }],
    pipelines: [{ id: 0, name: 'main', pipeline: '/p.wasm', fileRights: table }],
  } as unknown as Policy;
  assert.equal(rightsTableFor(policy, { kind: 'participant', id: 7 }), table);
  assert.equal(rightsTableFor(policy, { kind: 'program', path: '/p.wasm' }), table);
  assert.equal(rightsTableFor(policy, { kind: 'pipeline', name: 'main' }), table);
  assert.deepEqual(rightsTableFor(policy, { kind: 'participant', id: 8 }), []);
  assert.deepEqual(rightsTableFor(policy, { kind: 'program', path: '/q.wasm' }), []);
});
