// Resource limits with real guests: wall-clock budget, memory cap, storage quota, traps, and the
// module check that runs before anything else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RIGHTS_ALL } from '../../protocol/index.js';
import { guestBytes, lines, text } from '../guests/guests.js';
import { allRights } from '../vfs/rights.js';
import { Vfs } from '../vfs/vfs.js';
import { Errno } from '../wasi/constants.js';
import { hasCode, isTrap, TRAP_KINDS } from '../testing/guest-fixtures.js';
import { runProgram } from './run-program.js';

test('an infinite loop is stopped at its budget with ERR_EXECUTION_TIMEOUT', async () => {
  await assert.rejects(
    runProgram({
      program: guestBytes('loop'),
      vfs: new Vfs(),
      rights: allRights([]),
      limits: { timeoutMs: 2000 },
    }),
    hasCode('ERR_EXECUTION_TIMEOUT'),
  );
  // The worker was terminated, not left spinning: the next execution runs normally.
  const next = await runProgram({
    program: guestBytes('malloc_bomb'),
    vfs: new Vfs(),
    rights: allRights([]),
    limits: { maxMemoryMib: 4 },
  });
  assert.equal(next.exitCode, 3);
});

test('a malloc bomb is stopped at max_memory_mib and the host keeps working', async () => {
  const result = await runProgram({
    program: guestBytes('malloc_bomb'),
    vfs: new Vfs(),
    rights: allRights([]),
    limits: { maxMemoryMib: 32 },
  });
  assert.equal(result.exitCode, 3);
  const blocks = Number(lines(result.stdout).get('blocks'));
  assert.ok(blocks > 16 && blocks < 32, `got ${blocks} blocks of 1 MiB under a 32 MiB cap`);
  await assert.rejects(
    runProgram({
      program: guestBytes('malloc_bomb'),
      args: ['abort'],
      vfs: new Vfs(),
      rights: allRights([]),
      limits: { maxMemoryMib: 16 },
    }),
    hasCode('ERR_GUEST_TRAP'),
  );
  // The host process is unharmed: another execution runs normally afterwards.
  const again = await runProgram({
    program: guestBytes('malloc_bomb'),
    vfs: new Vfs(),
    rights: allRights([]),
    limits: { maxMemoryMib: 8 },
  });
  assert.ok(Number(lines(again.stdout).get('blocks')) < 8);
});

test('a 100 MiB write is refused by the quota with EDQUOT, and the partial file stays within it', async () => {
  const quota = 64 * 2 ** 20;
  const vfs = new Vfs({ quotaBytes: quota });
  const result = await runProgram({
    program: guestBytes('big_write'),
    args: ['100'],
    vfs,
    rights: allRights(['/output']),
  });
  assert.equal(result.exitCode, Errno.DQUOT, 'the guest exits with the errno of its failed write');
  assert.ok(vfs.usedBytes <= quota);
  assert.equal(vfs.readUnchecked('/output/big.bin').length, quota, 'exactly the quota was written');
});

test('a run quota lower than the file system quota applies', async () => {
  const vfs = new Vfs();
  const result = await runProgram({
    program: guestBytes('big_write'),
    args: ['8'],
    vfs,
    rights: allRights(['/output']),
    limits: { quotaBytes: 4 * 2 ** 20 },
  });
  assert.equal(result.exitCode, Errno.DQUOT);
  assert.equal(vfs.readUnchecked('/output/big.bin').length, 4 * 2 ** 20);
});

for (const [kind, pattern] of TRAP_KINDS) {
  test(`a trap (${kind}) is reported as ERR_GUEST_TRAP with the trap message`, async () => {
    await assert.rejects(
      runProgram({
        program: guestBytes('trap'),
        args: [kind],
        vfs: new Vfs(),
        rights: allRights([]),
      }),
      isTrap(pattern),
    );
  });
}

test('a module importing from another module is refused before it runs', async () => {
  await assert.rejects(
    runProgram({ program: guestBytes('forbidden_import'), vfs: new Vfs(), rights: allRights([]) }),
    hasCode('ERR_FORBIDDEN_IMPORT'),
  );
});

test('bytes that are not a module are refused as ERR_INVALID_MODULE', async () => {
  await assert.rejects(
    runProgram({
      program: new TextEncoder().encode('not wasm'),
      vfs: new Vfs(),
      rights: allRights([]),
    }),
    hasCode('ERR_INVALID_MODULE'),
  );
});

test('after a timeout the file system is left exactly as it was', async () => {
  const vfs = new Vfs();
  vfs.writeUnchecked('/output/keep.txt', new TextEncoder().encode('kept'));
  await assert.rejects(
    runProgram({
      program: guestBytes('loop'),
      vfs,
      rights: [{ path: '/output', rights: RIGHTS_ALL }],
      limits: { timeoutMs: 500 },
    }),
    hasCode('ERR_EXECUTION_TIMEOUT'),
  );
  assert.equal(text(vfs.readUnchecked('/output/keep.txt')), 'kept');
  assert.equal(vfs.exists('stdout'), false);
});
