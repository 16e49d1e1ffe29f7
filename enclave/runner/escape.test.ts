// Escape attempts by a real C guest (enclave/guests/escape.c): each must be denied with the errno
// asserted here, and nothing outside the guest's rights may change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RIGHTS_ALL, RIGHTS_READ, RIGHTS_WRITE } from '../../protocol/policy/wasi-rights.js';
import type { RightsTable } from '../../protocol/policy/types.js';
import { bytes, guestBytes, lines, text } from '../guests/guests.js';
import { Errno } from '../wasi/constants.js';
import { Vfs } from '../vfs/vfs.js';
import { runProgram } from './run-program.js';
import { runPipeline } from './run-pipeline.js';

const rights: RightsTable = [
  { path: '/data/', rights: RIGHTS_ALL },
  { path: '/ro/', rights: RIGHTS_READ },
  { path: '/wo/', rights: RIGHTS_WRITE },
  { path: '/prog/', rights: RIGHTS_READ },
  { path: 'stdout', rights: RIGHTS_WRITE },
];

test('escape attempts are denied with the expected errno', async () => {
  const vfs = new Vfs();
  vfs.writeUnchecked('/data/hello.txt', bytes('hi'));
  vfs.writeUnchecked('/ro/r.txt', bytes('read only'));
  vfs.writeUnchecked('/wo/secret.txt', bytes('write only'));
  vfs.writeUnchecked('/prog/p.wasm', bytes('not really wasm'));
  vfs.writeUnchecked('/secret/key.txt', bytes('the key'));
  const result = await runProgram({ program: guestBytes('escape'), vfs, rights });
  assert.equal(result.exitCode, 0);
  const out = lines(result.stdout);
  const expected: Record<string, number> = {
    // `..` out of a pre-open, by the raw call and through libc
    dotdot_raw: Errno.NOTCAPABLE,
    dotdot_deep_raw: Errno.NOTCAPABLE,
    dotdot_libc: Errno.NOTCAPABLE,
    // absolute paths: refused by the host; libc finds no pre-open for them
    absolute_raw: Errno.NOTCAPABLE,
    absolute_libc: Errno.NOTCAPABLE,
    // writing a read-only directory
    ro_create: Errno.NOTCAPABLE,
    ro_open_write_raw: Errno.NOTCAPABLE,
    // the fd opens without FD_WRITE; wasi-libc reports the host's ENOTCAPABLE as POSIX's EBADF
    ro_write_libc: Errno.BADF,
    ro_mkdir: Errno.NOTCAPABLE,
    ro_unlink: Errno.NOTCAPABLE,
    // reading without r
    wo_open_read_raw: Errno.NOTCAPABLE,
    wo_read_libc: Errno.BADF,
    // executing without x (asking for FD_EXECUTE on a file under a prefix without it)
    prog_open_exec_raw: Errno.NOTCAPABLE,
    data_open_exec_raw: 0,
    data_open_ok: 0,
  };
  for (const [name, errno] of Object.entries(expected))
    assert.equal(out.get(name), String(errno), `${name}: ${text(result.stdout)}`);
  assert.equal(text(vfs.readUnchecked('/secret/key.txt')), 'the key');
  assert.equal(text(vfs.readUnchecked('/ro/r.txt')), 'read only');
  assert.equal(vfs.exists('/ro/new.txt'), false);
  assert.equal(vfs.exists('/ro/d'), false);
});

test('a pipeline step without the execute right is refused before anything runs', async () => {
  const vfs = new Vfs();
  vfs.writeUnchecked('/prog/copy.wasm', guestBytes('copy'));
  await assert.rejects(
    runPipeline(
      { kind: 'program', path: '/prog/copy.wasm' },
      { vfs, callerRights: rights, executionRights: rights },
    ),
    (error: { code?: string }) => error.code === 'ERR_ACCESS_DENIED',
  );
});

test('data the principal has no right on never enters the worker', () => {
  const vfs = new Vfs();
  vfs.writeUnchecked('/secret/key.txt', bytes('the key'));
  vfs.writeUnchecked('/data/a', bytes('a'));
  const paths = vfs.snapshot(rights).entries.map((e) => e.path);
  assert.ok(paths.includes('/data/a'));
  assert.ok(!paths.some((p) => p.startsWith('/secret')));
});
