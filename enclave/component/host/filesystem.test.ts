// The WASI 0.2 file system host against the rights table: denials are `access`, escapes from a
// pre-opened directory are `not-permitted`, the byte quota is `quota`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RIGHTS_READ,
  RIGHTS_WRITE,
  RIGHTS_ALL,
  type RightsTable,
  splitPath,
} from '../../../protocol/index.js';
import { InodeTree } from '../../vfs/inode-tree.js';
import { FsError, StreamError } from './errors.js';
import { preopens, type Descriptor } from './filesystem.js';

const rights: RightsTable = [
  { path: '/input/', rights: RIGHTS_READ },
  { path: '/output/', rights: RIGHTS_WRITE },
];

function setup(quotaBytes?: number): { tree: InodeTree; dirs: Map<string, Descriptor> } {
  const tree = new InodeTree(quotaBytes === undefined ? {} : { quotaBytes });
  const input = tree.mkdirp(['input']);
  input.entries.set('a.txt', tree.newFile(new TextEncoder().encode('alpha')));
  tree.mkdirp(['secret']).entries.set('s.txt', tree.newFile(new TextEncoder().encode('s')));
  tree.mkdirp(['output']);
  const dirs = new Map(preopens({ tree, rights }).map(([d, path]) => [path, d]));
  return { tree, dirs };
}

function code(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof FsError) return error.payload;
    if (error instanceof StreamError) {
      const p = error.payload;
      return p.tag === 'closed' ? 'closed' : `failed:${p.val.fsCode ?? '?'}`;
    }
    throw error;
  }
  return 'ok';
}

function dir(dirs: Map<string, Descriptor>, path: string): Descriptor {
  const d = dirs.get(path);
  assert.ok(d, `preopen ${path}`);
  return d;
}

test('pre-opens are the directories of the rights table', () => {
  const { dirs } = setup();
  assert.deepEqual([...dirs.keys()], ['/input', '/output']);
});

test('reads are allowed where r is granted and refused with access elsewhere', () => {
  const { dirs } = setup();
  const input = dir(dirs, '/input');
  const file = input.openAt({}, 'a.txt', {}, { read: true });
  assert.deepEqual(new TextDecoder().decode(file.read(100n, 0n)[0]), 'alpha');
  assert.equal(
    code(() => input.openAt({}, 'a.txt', {}, { write: true })),
    'access',
  );
  assert.equal(
    code(() => input.openAt({}, 'n.txt', { create: true }, { write: true })),
    'access',
  );
  assert.equal(
    code(() => input.unlinkFileAt('a.txt')),
    'access',
  );
  assert.equal(
    code(() => input.createDirectoryAt('d')),
    'access',
  );
  assert.equal(
    code(() => input.statAt({}, 'a.txt')),
    'access',
  );
});

test('writes are allowed where w is granted; reads there are refused', () => {
  const { tree, dirs } = setup();
  const output = dir(dirs, '/output');
  const file = output.openAt({}, 'r.txt', { create: true, truncate: true }, { write: true });
  file.writeViaStream(0n).blockingWriteAndFlush(new TextEncoder().encode('result'));
  assert.equal(
    new TextDecoder().decode(InodeTree.contents(tree.requireFile(splitPath('/output/r.txt'), ''))),
    'result',
  );
  assert.equal(
    code(() => output.openAt({}, 'r.txt', {}, { read: true })),
    'access',
  );
  assert.equal(
    code(() => output.readDirectory()),
    'access',
  );
  assert.equal(
    code(() => output.unlinkFileAt('r.txt')),
    'access',
  );
  assert.equal(
    code(() => file.readViaStream(0n)),
    'bad-descriptor',
  );
});

test('paths cannot leave their pre-opened directory', () => {
  const { dirs } = setup();
  const input = dir(dirs, '/input');
  assert.equal(
    code(() => input.openAt({}, '../secret/s.txt', {}, { read: true })),
    'not-permitted',
  );
  assert.equal(
    code(() => input.openAt({}, 'x/../../secret/s.txt', {}, { read: true })),
    'not-permitted',
  );
  assert.equal(
    code(() => input.openAt({}, '/secret/s.txt', {}, { read: true })),
    'not-permitted',
  );
  assert.equal(
    code(() => input.statAt({}, '..')),
    'not-permitted',
  );
  const output = dir(dirs, '/output');
  assert.equal(
    code(() => output.renameAt('x', input, '../secret/s.txt')),
    'not-permitted',
  );
  assert.equal(
    code(() => input.openAt({}, './a.txt', {}, { read: true })),
    'ok',
  );
});

test('a directory descriptor opened below a pre-open cannot climb above the pre-open', () => {
  const { tree, dirs } = setup(undefined);
  tree.mkdirp(['output', 'sub']);
  const sub = dir(dirs, '/output').openAt({}, 'sub', { directory: true }, {});
  assert.equal(
    code(() => sub.openAt({}, '../../secret/s.txt', {}, { read: true })),
    'not-permitted',
  );
  assert.equal(
    code(() => sub.openAt({}, '../r.txt', { create: true }, { write: true })),
    'ok',
  );
});

test('the byte quota fails writes with quota, through streams and direct writes', () => {
  const { dirs } = setup(5 + 1 + 10);
  const file = dir(dirs, '/output').openAt({}, 'big', { create: true }, { write: true });
  assert.equal(
    code(() => file.write(new Uint8Array(8), 0n)),
    'ok',
  );
  assert.equal(
    code(() => file.write(new Uint8Array(8), 8n)),
    'quota',
  );
  assert.equal(
    code(() => file.writeViaStream(16n).write(new Uint8Array(8))),
    'failed:quota',
  );
});

test('stdout needs the write right on the stdout pseudo file', async () => {
  const { cliImports } = await import('./cli.js');
  const tree = new InodeTree();
  const denied = cliImports({ tree, rights, args: [], env: [] });
  const out = (
    denied['wasi:cli/stdout'] as { getStdout(): { write(b: Uint8Array): void } }
  ).getStdout();
  assert.equal(
    code(() => out.write(new Uint8Array([65]))),
    'failed:access',
  );
  const allowed = cliImports({
    tree,
    rights: [{ path: 'stdout', rights: RIGHTS_ALL }],
    args: [],
    env: [],
  });
  (allowed['wasi:cli/stdout'] as { getStdout(): { write(b: Uint8Array): void } })
    .getStdout()
    .write(new Uint8Array([65]));
  assert.deepEqual(InodeTree.contents(tree.pseudoFile('stdout')), new Uint8Array([65]));
});

test('seeded random makes the same bytes; without a clock, time reads as zero', async () => {
  const { randomImports, clockImports } = await import('./clocks-random.js');
  const { seededRandom } = await import('../../runner/sources.js');
  const bytes = (seed: number): Uint8Array =>
    (
      randomImports({ random: seededRandom(seed) })['wasi:random/random'] as {
        getRandomBytes(n: bigint): Uint8Array;
      }
    ).getRandomBytes(32n);
  assert.deepEqual(bytes(7), bytes(7));
  assert.notDeepEqual(bytes(7), bytes(8));
  const clocks = clockImports({ random: seededRandom(1) });
  assert.deepEqual((clocks['wasi:clocks/wall-clock'] as { now(): unknown }).now(), {
    seconds: 0n,
    nanoseconds: 0,
  });
  assert.equal((clocks['wasi:clocks/monotonic-clock'] as { now(): bigint }).now(), 0n);
});
