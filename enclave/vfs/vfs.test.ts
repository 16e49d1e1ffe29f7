import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type RightsTable,
  RIGHTS_ALL,
  RIGHTS_READ,
  RIGHTS_WRITE,
  WasiRight,
} from '../../protocol/index.js';
import { preopenDirs } from './rights.js';
import { InodeTree } from './inode-tree.js';
import { TrackedTree, applyDiff, takeSnapshot, walk } from './snapshot.js';
import { Vfs } from './vfs.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const code = (c: string) => (error: { code?: string }) => error.code === c;

const alice: RightsTable = [
  { path: '/input/', rights: RIGHTS_WRITE },
  { path: '/output/', rights: RIGHTS_READ },
  { path: 'stdout', rights: RIGHTS_READ },
];

test('every directory key is pre-opened, in normal form and table order', () => {
  const table: RightsTable = [
    { path: '/', rights: RIGHTS_READ },
    { path: '/output/', rights: RIGHTS_WRITE },
    { path: '/output/private/', rights: 0 },
    { path: 'stdout', rights: RIGHTS_READ },
  ];
  assert.deepEqual(preopenDirs(table), ['/', '/output', '/output/private']);
});

test('keys for single files are not pre-opened; directory keys are', () => {
  const table: RightsTable = [
    { path: '/input/', rights: RIGHTS_READ },
    { path: '/output/result.txt', rights: RIGHTS_WRITE },
    { path: '/data', rights: RIGHTS_READ },
    { path: 'stdout', rights: RIGHTS_WRITE },
  ];
  const dirs = new Set(['/data']);
  assert.deepEqual(
    preopenDirs(table, (p) => dirs.has(p)),
    ['/input', '/data'],
  );
});

test('the file system refuses a path that climbs above the root, and folds . and //', () => {
  const vfs = new Vfs();
  const everything: RightsTable = [{ path: '/', rights: RIGHTS_ALL }];
  for (const path of ['/input/../../etc', '/../etc/passwd']) {
    assert.throws(() => vfs.write(everything, path, bytes('x')), code('ERR_BAD_PATH'), path);
    assert.throws(() => vfs.writeUnchecked(path, bytes('x')), code('ERR_BAD_PATH'), path);
    assert.throws(() => vfs.read(everything, path), code('ERR_BAD_PATH'), path);
    assert.throws(() => vfs.exists(path), code('ERR_BAD_PATH'), path);
  }
  assert.equal(vfs.exists('/etc'), false, 'nothing was written at the clamped path');
  vfs.write(everything, 'a/./b//c', bytes('folded'));
  assert.equal(text(vfs.read(everything, '/a/b/c')), 'folded');
});

test('participants write and read only what their rights allow', () => {
  const vfs = new Vfs();
  vfs.write(alice, '/input/data.csv', bytes('1,2'));
  vfs.write(alice, '/input/data.csv', bytes(',3'), { append: true });
  assert.equal(text(vfs.readUnchecked('/input/data.csv')), '1,2,3');
  assert.throws(
    () => vfs.read(alice, '/input/data.csv'),
    code('ERR_ACCESS_DENIED'),
    'no r on /input',
  );
  assert.throws(
    () => vfs.write(alice, '/output/x', bytes('x')),
    code('ERR_ACCESS_DENIED'),
    'no w on /output',
  );
  assert.throws(
    () => vfs.write(alice, '/program/p.wasm', bytes('x')),
    code('ERR_ACCESS_DENIED'),
    'no entry at all',
  );
  assert.throws(() => vfs.read(alice, '/output/missing'), code('ERR_FILE_NOT_FOUND'));
  vfs.writeUnchecked('/output/result', bytes('42'));
  assert.equal(text(vfs.read(alice, '/output/result')), '42');
  assert.throws(
    () => vfs.read(alice, '/input/../output/../input/data.csv'),
    code('ERR_ACCESS_DENIED'),
  );
});

test('pseudo files, listing, existence and removal', () => {
  const vfs = new Vfs();
  vfs.writeUnchecked('stdout', bytes('out'));
  assert.equal(text(vfs.read(alice, 'stdout')), 'out');
  vfs.writeUnchecked('/output/b', bytes('bb'));
  vfs.writeUnchecked('/output/a', bytes('a'));
  vfs.mkdir('/output/dir');
  assert.deepEqual(vfs.list(alice, '/output'), [
    { name: 'a', kind: 'file', size: 1 },
    { name: 'b', kind: 'file', size: 2 },
    { name: 'dir', kind: 'dir', size: 0 },
  ]);
  assert.throws(() => vfs.list(alice, '/input'), code('ERR_ACCESS_DENIED'));
  assert.equal(vfs.exists('/output/a'), true);
  assert.equal(vfs.exists('/output/zzz'), false);
  const owner: RightsTable = [{ path: '/output', rights: RIGHTS_ALL }];
  vfs.remove(owner, '/output/a');
  assert.equal(vfs.exists('/output/a'), false);
  assert.throws(() => vfs.remove(alice, '/output/b'), code('ERR_ACCESS_DENIED'));
  assert.throws(() => vfs.remove(owner, '/output/dir'), code('ERR_BAD_PATH'));
});

test('the byte quota covers every file and frees space on removal', () => {
  const vfs = new Vfs({ quotaBytes: 10 });
  const owner: RightsTable = [{ path: '/', rights: RIGHTS_ALL }];
  vfs.write(owner, '/a', bytes('123456'));
  assert.throws(() => vfs.write(owner, '/b', bytes('12345')), code('ERR_QUOTA_EXCEEDED'));
  vfs.write(owner, '/a', bytes('1'));
  vfs.write(owner, '/b', bytes('12345'));
  assert.equal(vfs.usedBytes, 6);
  vfs.remove(owner, '/b');
  assert.equal(vfs.usedBytes, 1);
});

test('a worker diff carries new, changed, moved and removed nodes; untouched files stay put', () => {
  const vfs = new Vfs();
  vfs.writeUnchecked('/d/keep', bytes('k'));
  vfs.writeUnchecked('/d/change', bytes('c'));
  vfs.writeUnchecked('/d/move', bytes('m'));
  vfs.writeUnchecked('/d/gone', bytes('g'));
  const rights: RightsTable = [{ path: '/d', rights: WasiRight.FD_READ }];
  const tracked = new TrackedTree(vfs.snapshot(rights));
  const t = tracked.tree;
  const dir = t.lookup(['d']);
  assert.ok(dir?.kind === 'dir');
  const change = dir.entries.get('change');
  assert.ok(change?.kind === 'file');
  t.writeAt(change, 1, bytes('!'));
  const moved = dir.entries.get('move');
  assert.ok(moved);
  dir.entries.delete('move');
  dir.entries.set('moved', moved);
  dir.entries.delete('gone');
  dir.entries.set('new', t.newFile(bytes('n')));
  const diff = tracked.diff();
  assert.deepEqual(diff.upserts.map((u) => u.path).sort(), ['/d/change', '/d/moved', '/d/new']);
  assert.deepEqual([...diff.removed].sort(), ['/d/gone', '/d/move']);
  applyDiff(vfs.tree, diff);
  assert.deepEqual(vfs.filesUnder('/d'), ['/d/change', '/d/keep', '/d/moved', '/d/new']);
  assert.equal(text(vfs.readUnchecked('/d/change')), 'c!');
  assert.equal(text(vfs.readUnchecked('/d/moved')), 'm');
  assert.equal(vfs.usedBytes, 5);
});

test('a tree 6,000 directories deep is snapshotted, diffed, applied and released without recursion', () => {
  // Far deeper than the budget allows, and deeper than the recursive walks survived (5,000 overflowed).
  const depth = 6000;
  const tree = new InodeTree({ maxDepth: depth + 1 });
  const parts = Array.from({ length: depth }, () => 'd');
  tree.mkdirp(parts).entries.set('leaf.txt', tree.newFile(bytes('deep')));
  const everything: RightsTable = [{ path: '/', rights: RIGHTS_ALL }];
  const snapshot = takeSnapshot(tree, everything);
  assert.equal(snapshot.entries.length, depth + 1);
  const tracked = new TrackedTree(snapshot);
  const deepest = tracked.tree.lookup(parts);
  assert.equal(deepest?.kind, 'dir');
  if (deepest?.kind === 'dir') deepest.entries.set('new.txt', tracked.tree.newFile(bytes('new')));
  const diff = tracked.diff();
  assert.equal(diff.upserts.length, 1);
  applyDiff(tree, diff);
  let files = 0;
  walk(tree.root, '/', (_path, node) => {
    if (node.kind === 'file') files++;
  });
  assert.equal(files, 2);
  assert.equal(tree.usedBytes, 7);
  tree.release(tree.root);
  assert.equal(tree.usedBytes, 0);
});

test('the default depth and name limits refuse participants too, typed', () => {
  const vfs = new Vfs();
  const deep = `/${Array.from({ length: 257 }, () => 'd').join('/')}`;
  assert.throws(() => vfs.writeUnchecked(deep, bytes('x')), code('ERR_RESOURCE_LIMIT'));
  assert.throws(() => vfs.mkdir(deep), code('ERR_RESOURCE_LIMIT'));
  assert.throws(() => vfs.mkdir(`/${'n'.repeat(256)}`), code('ERR_RESOURCE_LIMIT'));
  assert.equal(vfs.exists('/d'), false, 'nothing was created on the way');
});

test('symbolic link targets count against the quota, a hard-linked file once, both released with their last name', () => {
  const vfs = new Vfs({ quotaBytes: 16 });
  vfs.writeUnchecked('/d/a', bytes('12345678'));
  vfs.linkUnchecked('/d/b', '/d/a');
  assert.equal(vfs.usedBytes, 8, 'two names, one file');
  vfs.symlinkUnchecked('/d/l', 'a/b/c');
  assert.equal(vfs.usedBytes, 13);
  assert.throws(() => vfs.symlinkUnchecked('/d/m', 'x'.repeat(4)), code('ERR_QUOTA_EXCEEDED'));
  const all: RightsTable = [{ path: '/d/', rights: RIGHTS_ALL }];
  vfs.remove(all, '/d/a');
  assert.equal(vfs.usedBytes, 13, 'the file still has a name');
  vfs.remove(all, '/d/b');
  assert.equal(vfs.usedBytes, 5);
  // the worker's tree from a snapshot holds the same bytes (nothing counted twice)
  const tracked = new TrackedTree(vfs.snapshot(all));
  assert.equal(tracked.tree.usedBytes + tracked.tree.usedOutside, 5);
});
