// Escape attempts by a real C guest (enclave/guests/escape.c): each must be denied with the errno
// asserted here, and nothing outside the guest's rights may change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytes, guestBytes } from '../guests/guests.js';
import { Errno } from '../wasi/constants.js';
import { Vfs } from '../vfs/vfs.js';
import {
  assertEscapesDenied,
  escapeRights as rights,
  escapeVfs,
} from '../testing/guest-fixtures.js';
import { runProgram } from './run-program.js';
import { runPipeline } from './run-pipeline.js';

test('escape attempts are denied with the expected errno', async () => {
  const vfs = escapeVfs();
  const result = await runProgram({ program: guestBytes('escape'), vfs, rights });
  const expected: Record<string, number> = {
    // `..` out of a pre-open, by the raw call and through libc
    dotdot_raw: Errno.NOTCAPABLE,
    // the walk goes one component at a time, as wasmtime's: a/ does not exist, so it stops there
    // (with a real a/, `a/../..` climbs out: ENOTCAPABLE, enclave/guests/rights.c)
    dotdot_deep_raw: Errno.NOENT,
    dotdot_libc: Errno.NOTCAPABLE,
    // absolute paths: refused by the host; libc finds no pre-open for them
    absolute_raw: Errno.NOTCAPABLE,
    absolute_libc: Errno.NOTCAPABLE,
    // writing a read-only directory
    ro_create: Errno.NOTCAPABLE,
    ro_open_write_raw: Errno.NOTCAPABLE,
    // refused at the open, not at the first write (wasi-libc asks for FD_WRITE: the directory's
    // inheriting rights allow asking; the policy at the file refuses)
    ro_write_libc: Errno.NOTCAPABLE,
    ro_mkdir: Errno.NOTCAPABLE,
    ro_unlink: Errno.NOTCAPABLE,
    // reading without r
    wo_open_read_raw: Errno.NOTCAPABLE,
    wo_read_libc: Errno.NOTCAPABLE,
    // FD_EXECUTE is no WASI right (no call uses it; the pipeline checks x itself) and wasi-libc asks
    // for it with every open: it is granted only where the policy grants it, never refused
    // (enclave/guests/rights.c checks the fd lacks it)
    prog_open_exec_raw: 0,
    data_open_exec_raw: 0,
    data_open_ok: 0,
  };
  assertEscapesDenied(result, vfs, expected);
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
