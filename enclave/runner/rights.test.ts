// The rights rules the WASI test suite does not cover, tried by a real C guest
// (enclave/guests/rights.c) as a program would: each right withheld in turn with the errno the
// guest sees, a read-only pre-open refusing a write at the open, `..` and symbolic links that
// climb out of a pre-open, links resolving under the rights of where they point, hard links only
// between names with the same rights.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RIGHTS_ALL, RIGHTS_READ, WasiRight, type RightsTable } from '../../protocol/index.js';
import { bytes, guestBytes, lines, text } from '../guests/guests.js';
import { Errno } from '../wasi/constants.js';
import { Vfs } from '../vfs/vfs.js';
import { runProgram } from './run-program.js';

const WITHHELD = {
  no_read: WasiRight.FD_READ,
  no_write: WasiRight.FD_WRITE,
  no_create: WasiRight.PATH_CREATE_FILE,
  no_trunc: WasiRight.PATH_FILESTAT_SET_SIZE,
  no_readdir: WasiRight.FD_READDIR,
  no_filestat: WasiRight.FD_FILESTAT_GET | WasiRight.PATH_FILESTAT_GET,
  no_seek: WasiRight.FD_SEEK,
} as const;

const rights: RightsTable = [
  ...Object.entries(WITHHELD).map(([dir, bits]) => ({
    path: `/${dir}/`,
    rights: RIGHTS_ALL & ~bits & ~WasiRight.FD_EXECUTE,
  })),
  { path: '/ro/', rights: RIGHTS_READ | WasiRight.PATH_FILESTAT_GET | WasiRight.FD_FILESTAT_GET },
  { path: '/all/', rights: RIGHTS_ALL & ~WasiRight.FD_EXECUTE },
  { path: '/mix/', rights: RIGHTS_ALL & ~WasiRight.FD_EXECUTE },
  { path: '/mix/locked/', rights: RIGHTS_READ },
  { path: 'stdout', rights: RIGHTS_ALL },
];

function rightsVfs(): Vfs {
  const vfs = new Vfs();
  for (const dir of Object.keys(WITHHELD)) vfs.writeUnchecked(`/${dir}/f.txt`, bytes('0123456789'));
  vfs.writeUnchecked('/ro/data.txt', bytes('read only'));
  vfs.writeUnchecked('/all/f.txt', bytes('all'));
  vfs.mkdir('/all/sub');
  vfs.symlinkUnchecked('/all/to_ro', '../ro/data.txt');
  vfs.symlinkUnchecked('/all/loop_a', 'loop_b');
  vfs.symlinkUnchecked('/all/loop_b', 'loop_a');
  vfs.writeUnchecked('/mix/f.txt', bytes('mix'));
  vfs.writeUnchecked('/mix/locked/secret.txt', bytes('locked'));
  vfs.symlinkUnchecked('/mix/w', 'locked/secret.txt');
  return vfs;
}

/** The operations rights.c tries in each /no_* pre-open, and what each needs. */
const OPERATIONS = [
  'read',
  'write',
  'create',
  'trunc',
  'readdir',
  'stat',
  'fstat',
  'seek',
] as const;

/**
 * What the guest sees when `dir` withholds its right: the errno of each operation that fails
 * (every other one succeeds). wasi-libc opens O_WRONLY for create and truncate, so a withheld
 * fd_write fails them at the open too; fstat and lseek open for reading first.
 */
const FAILS: Record<keyof typeof WITHHELD, Partial<Record<(typeof OPERATIONS)[number], number>>> = {
  no_read: { read: Errno.NOTCAPABLE, fstat: Errno.NOTCAPABLE, seek: Errno.NOTCAPABLE },
  no_write: { write: Errno.NOTCAPABLE, create: Errno.NOTCAPABLE, trunc: Errno.NOTCAPABLE },
  no_create: { create: Errno.NOTCAPABLE },
  no_trunc: { trunc: Errno.NOTCAPABLE },
  no_readdir: { readdir: Errno.NOTCAPABLE },
  no_filestat: { stat: Errno.NOTCAPABLE, fstat: Errno.NOTCAPABLE },
  // wasi-libc's lseek reports the host's ENOTCAPABLE as ESPIPE
  no_seek: { seek: Errno.SPIPE },
};

test('each right withheld in turn fails exactly its operations, with the errno the guest sees', async () => {
  const vfs = rightsVfs();
  const result = await runProgram({ program: guestBytes('rights'), vfs, rights });
  assert.equal(result.exitCode, 0);
  const out = lines(result.stdout);
  for (const [dir, fails] of Object.entries(FAILS))
    for (const op of OPERATIONS) {
      const name = `${dir}_${op}`;
      assert.equal(out.get(name), String(fails[op] ?? 0), `${name}: ${text(result.stdout)}`);
    }
  // nothing was written where fd_write, create or truncate was withheld
  assert.equal(text(vfs.readUnchecked('/no_write/f.txt')), '0123456789');
  assert.equal(vfs.exists('/no_create/new.txt'), false);
  assert.equal(text(vfs.readUnchecked('/no_trunc/f.txt')), 'w123456789');
});

test('a read-only pre-open refuses a write at the open; .. and links never leave a pre-open', async () => {
  const vfs = rightsVfs();
  const result = await runProgram({ program: guestBytes('rights'), vfs, rights });
  const out = lines(result.stdout);
  const expected: Record<string, string> = {
    // `vc run --input`: opening to write is refused at the open, not at the first write
    ro_open_wronly: `${Errno.NOTCAPABLE}`,
    ro_open_rdwr: `${Errno.NOTCAPABLE}`,
    ro_open_rdonly: '0',
    ro_create: `${Errno.NOTCAPABLE}`,
    // `..` above the pre-open through a directory that exists
    dotdot_sub: `${Errno.NOTCAPABLE}`,
    dotdot_libc: `${Errno.NOTCAPABLE}`,
    // a link copied in that climbs out, one the guest makes, one reached through `..`
    symlink_out: `${Errno.NOTCAPABLE}`,
    symlink_out_libc: `${Errno.NOTCAPABLE}`,
    symlink_loop: `${Errno.LOOP}`,
    symlink_make_absolute: `${Errno.NOTCAPABLE}`,
    symlink_make_up: '0',
    symlink_up_open: `${Errno.NOTCAPABLE}`,
    symlink_via_dir: `${Errno.NOTCAPABLE}`,
    // /mix/w -> locked/secret.txt: read as locked/ allows, never written
    link_read_locked: '0',
    link_write_locked: `${Errno.NOTCAPABLE}`,
    direct_write_open: '0',
    hardlink_across: `${Errno.NOTCAPABLE}`,
    hardlink_same: '0',
    hardlink_shared: 'via link',
    exec_bit: '0 0',
  };
  for (const [name, value] of Object.entries(expected))
    assert.equal(out.get(name), value, `${name}: ${text(result.stdout)}`);
  assert.equal(text(vfs.readUnchecked('/ro/data.txt')), 'read only');
  assert.equal(text(vfs.readUnchecked('/mix/locked/secret.txt')), 'locked');
  assert.equal(vfs.exists('/mix/secret_copy'), false);
  assert.equal(vfs.exists('/all/abs'), false);
});

test('links a run makes persist: a symbolic link as text, a hard link between names with the same rights', async () => {
  const vfs = rightsVfs();
  await runProgram({ program: guestBytes('rights'), vfs, rights });
  assert.deepEqual(
    vfs.list(rights, '/all').map((e) => `${e.name} ${e.kind}`),
    [
      'f.txt file',
      'f2.txt file',
      'loop_a symlink',
      'loop_b symlink',
      'sub dir',
      'to_ro symlink',
      'up symlink',
    ],
  );
  assert.equal(text(vfs.readUnchecked('/all/f2.txt')), 'via link');
  // the two names are one file for a principal with the same rights on both
  const snapshot = vfs.snapshot(rights).entries.find((e) => e.path === '/all/f2.txt');
  assert.deepEqual(
    { kind: snapshot?.kind, target: snapshot?.target },
    { kind: 'link', target: '/all/f.txt' },
  );
  // a participant's write through one name leaves the other as it was
  vfs.write(rights, '/all/f2.txt', bytes('participant'));
  assert.equal(text(vfs.readUnchecked('/all/f.txt')), 'via link');
  // for a principal with other rights on each name, each is a copy of its own
  const split: RightsTable = [
    { path: '/all/f.txt', rights: RIGHTS_READ },
    { path: '/all/', rights: RIGHTS_ALL },
  ];
  const other = new Vfs();
  other.writeUnchecked('/all/a', bytes('x'));
  other.linkUnchecked('/all/b', '/all/a');
  const kinds = other.snapshot([
    { path: '/all/a', rights: RIGHTS_READ },
    ...split.slice(1),
  ]).entries;
  assert.deepEqual(
    kinds.map((e) => `${e.path} ${e.kind}`),
    ['/all dir', '/all/a file', '/all/b file'],
  );
});
