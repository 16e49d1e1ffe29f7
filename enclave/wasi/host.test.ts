// The WASI host, exercised by a real C guest (enclave/guests/wasi_calls.c) that calls every
// function of wasi_snapshot_preview1 and veracruz_si.fd_create and prints `name errno [details]`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytes, guestBytes, lines } from '../guests/guests.js';
import type { RunResult } from '../runner/run-options.js';
import { runProgram } from '../runner/run-program.js';
import { inspectModule } from '../runner/wasm-binary.js';
import { WASI_FUNCTIONS } from '../runner/check-module.js';
import { allRights } from '../vfs/rights.js';
import { Vfs } from '../vfs/vfs.js';
import { Errno } from './constants.js';
import { WasiHost } from './host.js';
import { InodeTree } from '../vfs/inode-tree.js';

async function runCalls(
  options: { clock?: boolean; seed?: number } = {},
): Promise<{ result: RunResult; vfs: Vfs; out: Map<string, string> }> {
  const vfs = new Vfs();
  vfs.writeUnchecked('/data/hello.txt', bytes('hello world'));
  const result = await runProgram({
    program: guestBytes('wasi_calls'),
    vfs,
    rights: allRights(['/data']),
    args: ['first'],
    env: { K: 'V' },
    stdin: bytes('from stdin'),
    ...options,
  });
  return { result, vfs, out: lines(result.stdout) };
}

test('the guest imports every wasi_snapshot_preview1 function and the host provides each one', () => {
  const imported = inspectModule(guestBytes('wasi_calls')).imports;
  const wasi = imported.filter((i) => i.module === 'wasi_snapshot_preview1').map((i) => i.name);
  assert.deepEqual([...wasi].sort(), [...WASI_FUNCTIONS].sort());
  assert.ok(imported.some((i) => i.module === 'veracruz_si' && i.name === 'fd_create'));
  const host = new WasiHost({
    tree: new InodeTree(),
    rights: [],
    args: [],
    env: [],
    random: () => {},
  });
  const provided = host.imports();
  assert.deepEqual(
    Object.keys(provided['wasi_snapshot_preview1'] ?? {}).sort(),
    [...WASI_FUNCTIONS].sort(),
  );
  assert.deepEqual(Object.keys(provided['veracruz_si'] ?? {}), ['fd_create']);
});

test('every WASI call returns what the specification says', async () => {
  const { result, out } = await runCalls({ seed: 1 });
  assert.equal(result.exitCode, 7, 'proc_exit(7) is the exit code');
  const expected: Record<string, string> = {
    args_sizes_get: '0 2 19', // "program.wasm\0first\0"
    args_get: '0 first',
    environ_sizes_get: '0 1',
    environ_get: '0 K=V',
    fd_prestat_get: '0 5',
    fd_prestat_dir_name: '0 /data',
    fd_prestat_get_stdin: `${Errno.BADF}`,
    path_open: '0',
    fd_read: '0 5 hello',
    fd_tell: '0 5',
    fd_seek: '0 6',
    fd_pread: '0 3 wor',
    fd_filestat_get: '0 4 11',
    fd_fdstat_get: '0 4',
    fd_fdstat_set_flags: '0',
    fd_fdstat_set_rights: '0',
    fd_fdstat_set_rights_gain: `${Errno.NOTCAPABLE}`,
    fd_read_dropped: `${Errno.NOTCAPABLE}`,
    fd_renumber: '0',
    fd_close_renumbered: `${Errno.BADF}`,
    fd_close: '0',
    fd_close_again: `${Errno.BADF}`,
    path_open_create: '0',
    path_open_excl: `${Errno.EXIST}`,
    fd_write: '0 6',
    fd_pwrite: '0 2',
    fd_allocate: '0',
    size_after_allocate: '10',
    fd_filestat_set_size: '0',
    fd_filestat_set_times: '0',
    filestat_after: '4 5 7',
    fd_advise: '0',
    fd_datasync: '0',
    fd_sync: '0',
    path_create_directory: '0',
    path_create_directory_again: `${Errno.EXIST}`,
    path_filestat_get: '0 3',
    path_filestat_set_times: '0',
    path_filestat_after: '4 2',
    path_rename: '0',
    path_filestat_get_gone: `${Errno.NOENT}`,
    path_open_dir: '0',
    fd_readdir: '0 . .. moved.txt',
    path_remove_directory_not_empty: `${Errno.NOTEMPTY}`,
    path_unlink_file: '0',
    path_remove_directory: '0',
    path_remove_directory_missing: `${Errno.NOENT}`,
    path_link: '0',
    path_symlink: '0',
    // hello.txt is a file, not a symbolic link
    path_readlink: `${Errno.INVAL}`,
    // clocks are off: the fd subscription fires, the clock one reports ENOTCAPABLE
    poll_oneoff: `0 2 11 0 11`,
    poll_oneoff_clock: `0 1 12 ${Errno.NOTCAPABLE}`,
    sched_yield: '0',
    proc_raise: `${Errno.NOSYS}`,
    // fd 3 is a directory, and no descriptor of this host is a socket
    sock_accept: `${Errno.NOTSOCK}`,
    sock_recv: `${Errno.NOTSOCK}`,
    sock_send: `${Errno.NOTSOCK}`,
    sock_shutdown: `${Errno.NOTSOCK}`,
    sock_accept_badf: `${Errno.BADF}`,
    fd_read_stdin: '0 10 from stdin',
    fd_seek_stdout: `${Errno.NOTCAPABLE}`,
    fd_create: '0 anon',
    clock_res_get: `${Errno.NOTCAPABLE}`,
    clock_time_get: `${Errno.NOTCAPABLE} 0`,
    clock_time_get_bad_id: `${Errno.NOTCAPABLE}`,
  };
  for (const [name, value] of Object.entries(expected)) assert.equal(out.get(name), value, name);
});

test('with enable_clock the clocks work and a bad clock id is EINVAL', async () => {
  const { out } = await runCalls({ clock: true });
  assert.equal(out.get('clock_res_get'), '0');
  assert.equal(out.get('clock_time_get'), '0 1');
  assert.equal(out.get('clock_time_get_bad_id'), `${Errno.INVAL}`);
  assert.equal(out.get('poll_oneoff_clock'), '0 1 12 0');
});

test('random_get is reproducible with a seed and differs between seeds', async () => {
  const a = (await runCalls({ seed: 42 })).out.get('random_get');
  const b = (await runCalls({ seed: 42 })).out.get('random_get');
  const c = (await runCalls({ seed: 43 })).out.get('random_get');
  assert.match(a ?? '', /^0 [0-9a-f]{16}$/);
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('the file system changes of a finished run are applied; stdout lands in the stdout pseudo file', async () => {
  const { vfs, result } = await runCalls();
  assert.equal(vfs.exists('/data/new.txt'), false, 'renamed away then unlinked');
  assert.equal(vfs.exists('/data/sub'), false);
  assert.deepEqual(vfs.readUnchecked('stdout'), result.stdout);
});

test('deterministic mode: with a seed, clocks are virtual and two runs print identical bytes', async () => {
  const first = await runCalls({ clock: true, seed: 5 });
  const second = await runCalls({ clock: true, seed: 5 });
  assert.equal(first.out.get('clock_time_get'), '0 1');
  assert.deepEqual(first.result.stdout, second.result.stdout);
});
