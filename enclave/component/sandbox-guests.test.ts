// The sandbox's own escape and limits guests (enclave/guests/*.c), wrapped as components with jco's
// preview 1 adapter, against the same expectations as enclave/runner/escape.test.ts and
// limits.test.ts. Where a component sees another errno or exit code, the comment says why.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { componentNew, preview1AdapterCommandPath } from '@bytecodealliance/jco';
import { bytes, guestBytes, text, type GuestName } from '../guests/guests.js';
import {
  assertEscapesDenied,
  escapeRights,
  escapeVfs,
  hasCode,
  isTrap,
  TRAP_KINDS,
} from '../testing/guest-fixtures.js';
import { allRights } from '../vfs/rights.js';
import { Vfs } from '../vfs/vfs.js';
import { Errno } from '../wasi/constants.js';
import { runComponent } from './run-component.js';
import { shutdownWorkers } from '../runner/worker-pool.js';

const adapter = readFileSync(preview1AdapterCommandPath());
const asComponent = (name: GuestName): Promise<Uint8Array> =>
  componentNew(guestBytes(name), [['wasi_snapshot_preview1', adapter]]);
// wasi-libc errno values the adapter produces from WASI 0.2 error codes.
const EACCES = 2; // `access`: a right is missing
const EPERM = 63; // `not-permitted`: the path leaves its pre-opened directory

after(() => shutdownWorkers());

test('escape attempts by the sandbox escape guest are denied as a component', async () => {
  const vfs = escapeVfs();
  const program = await asComponent('escape');
  const result = await runComponent({ program, vfs, rights: escapeRights });
  const expected: Record<string, number> = {
    dotdot_raw: EPERM,
    dotdot_deep_raw: EPERM,
    dotdot_libc: EPERM,
    absolute_raw: EPERM,
    // libc finds no pre-open for an absolute path outside them, as for the core module
    absolute_libc: Errno.NOTCAPABLE,
    ro_create: EACCES,
    ro_open_write_raw: EACCES,
    // refused when opening (WASI 0.2 checks at open), where the core module fails the write
    ro_write_libc: EACCES,
    ro_mkdir: EACCES,
    ro_unlink: EACCES,
    wo_open_read_raw: EACCES,
    wo_read_libc: EACCES,
    // WASI 0.2 has no rights on descriptors: the adapter drops the FD_EXECUTE request, and opening
    // /prog/p.wasm to read is allowed by r. Execute rights are checked when a program is launched.
    prog_open_exec_raw: 0,
    data_open_exec_raw: 0,
    data_open_ok: 0,
  };
  assertEscapesDenied(result, vfs, expected);
});

test('an infinite loop as a component is stopped at its budget', async () => {
  const output: string[] = [];
  const vfs = new Vfs();
  vfs.writeUnchecked('/output/keep.txt', bytes('kept'));
  await assert.rejects(
    runComponent({
      program: await asComponent('loop'),
      vfs,
      rights: allRights(['/output']),
      limits: { timeoutMs: 1500 },
      onStdout: (b) => output.push(text(b)),
    }),
    hasCode('ERR_EXECUTION_TIMEOUT'),
  );
  assert.equal(output.join(''), 'looping\n', 'the guest really ran before it was stopped');
  assert.equal(text(vfs.readUnchecked('/output/keep.txt')), 'kept');
});

test('a malloc bomb as a component is stopped at max_memory_mib', async () => {
  // The adapter allocates from the guest's memory too, and traps when it cannot: out of memory
  // ends a component with ERR_GUEST_TRAP where the core module sees malloc fail.
  await assert.rejects(
    runComponent({
      program: await asComponent('malloc_bomb'),
      vfs: new Vfs(),
      rights: allRights([]),
      limits: { maxMemoryMib: 32 },
    }),
    hasCode('ERR_GUEST_TRAP'),
  );
});

test('the storage quota stops a component writing 8 MiB at exactly the quota', async () => {
  const quota = 4 * 2 ** 20;
  const vfs = new Vfs({ quotaBytes: quota });
  const result = await runComponent({
    program: await asComponent('big_write'),
    args: ['8'],
    vfs,
    rights: allRights(['/output']),
  });
  // wasi:cli/exit carries only ok/err in WASI 0.2: the adapter turns exit(EDQUOT) into 1.
  assert.equal(result.exitCode, 1);
  assert.equal(vfs.readUnchecked('/output/big.bin').length, quota);
});

for (const [kind, pattern] of TRAP_KINDS) {
  test(`a trap (${kind}) in a component is ERR_GUEST_TRAP with the trap message`, async () => {
    await assert.rejects(
      runComponent({
        program: await asComponent('trap'),
        args: [kind],
        vfs: new Vfs(),
        rights: allRights([]),
      }),
      isTrap(pattern),
    );
  });
}

test('a component reads a streamed stdin as it comes and writes it back byte for byte', async () => {
  const program = await asComponent('stdio');
  const input = new Uint8Array([0x61, 0x00, 0x0d, 0xff, 0x0a, 0x62]);
  async function* stream(): AsyncGenerator<Uint8Array> {
    yield input.subarray(0, 3);
    yield input.subarray(3);
  }
  const result = await runComponent({
    program,
    vfs: new Vfs(),
    rights: allRights([]),
    stdinStream: stream(),
  });
  assert.equal(result.exitCode, 0, text(result.stderr));
  assert.deepEqual(result.stdout, input);
});
