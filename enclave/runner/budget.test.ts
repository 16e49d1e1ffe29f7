// The execution's resource budget (run-options.ts), one hostile C guest mode per resource
// (enclave/guests/hostile.c): each is stopped at its cap with its errno or code, the process's peak
// RSS grows by no more than a stated bound over the cap, and an honest computation on the same file
// system right afterwards gets the right answer.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { bytes, guestBytes, lines, text } from '../guests/guests.js';
import { hasCode } from '../testing/guest-fixtures.js';
import { allRights } from '../vfs/rights.js';
import { DEFAULT_QUOTA_BYTES, Vfs } from '../vfs/vfs.js';
import { Errno } from '../wasi/constants.js';
import type { RunOptions } from './run-options.js';
import { runProgram } from './run-program.js';

const MiB = 2 ** 20;
/** What a run may add to the peak RSS beyond what its cap lets the guest make the host hold. */
const SLACK = 48 * MiB;

/** The process's peak resident set so far (all threads), in bytes. */
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

/** Runs `run` and asserts the peak RSS grew by at most `heldBytes` + SLACK. */
async function withinBound<T>(heldBytes: number, run: () => Promise<T>): Promise<T> {
  const before = peakRss();
  const result = await run();
  const grown = peakRss() - before;
  assert.ok(
    grown <= heldBytes + SLACK,
    `peak RSS grew by ${(grown / MiB).toFixed(1)} MiB, bound ${(heldBytes + SLACK) / MiB} MiB`,
  );
  return result;
}

const hostile = (vfs: Vfs, args: string[], limits: RunOptions['limits'] = {}): Promise<unknown> =>
  runProgram({
    program: guestBytes('hostile'),
    args,
    vfs,
    rights: allRights(['/input', '/output']),
    limits,
  });

/** An honest computation on `vfs` (the copy guest reverses /input/x.txt into /output/x.txt). */
async function assertHonestRunWorks(vfs: Vfs): Promise<void> {
  vfs.writeUnchecked('/input/x.txt', bytes('hello budget'));
  const result = await runProgram({
    program: guestBytes('copy'),
    vfs,
    rights: allRights(['/input', '/output']),
  });
  assert.equal(result.exitCode, 0, text(result.stderr));
  assert.equal(text(vfs.readUnchecked('/output/x.txt')), 'tegdub olleh');
}

before(async () => {
  // Warm up: the worker bundle, the compiler and one worker's memory are in the baseline.
  await assertHonestRunWorks(new Vfs());
  await hostile(new Vfs(), ['dotdot']);
});

test('tables: 8 tables grown by 10M entries each stop at maxTableEntries together', async () => {
  const vfs = new Vfs();
  const cap = 1 << 16;
  const result = (await withinBound(0, () =>
    hostile(vfs, ['tables', '10000000'], { maxTableEntries: cap }),
  )) as { stdout: Uint8Array };
  const grown = Number(lines(result.stdout).get('grown'));
  assert.ok(grown > 0 && grown <= cap, `grown ${grown}`);
  await assertHonestRunWorks(vfs);
});

test('output: a 256 MiB stdout flood ends at maxOutputBytes with ERR_RESOURCE_LIMIT', async () => {
  const vfs = new Vfs();
  const cap = 4 * MiB;
  await withinBound(4 * cap, () =>
    assert.rejects(
      hostile(vfs, ['flood', 'stdout', '256', 'nl'], { maxOutputBytes: cap }),
      hasCode('ERR_RESOURCE_LIMIT'),
    ),
  );
  assert.equal(vfs.exists('stdout'), false, 'nothing of the failed run persists');
  await assertHonestRunWorks(vfs);
});

test('storage: without a policy quota the default applies; a small quota bounds the host', async () => {
  assert.equal(new Vfs().quotaBytes, DEFAULT_QUOTA_BYTES);
  const quota = 16 * MiB;
  const vfs = new Vfs({ quotaBytes: quota });
  const result = await withinBound(3 * quota, () =>
    runProgram({
      program: guestBytes('big_write'),
      args: ['512'],
      vfs,
      rights: allRights(['/output']),
    }),
  );
  assert.equal(result.exitCode, Errno.DQUOT);
  assert.ok(vfs.usedBytes <= quota);
  vfs.remove(allRights(['/output']), '/output/big.bin');
  await assertHonestRunWorks(vfs);
});

test('open files: opening without closing stops at maxOpenFiles with EMFILE', async () => {
  const vfs = new Vfs();
  const result = (await withinBound(0, () =>
    hostile(vfs, ['fds', '100000'], { maxOpenFiles: 64 }),
  )) as { stdout: Uint8Array };
  const out = lines(result.stdout);
  // 64 minus stdio, the two pre-opens and nothing else
  assert.equal(out.get('opened'), `59 errno ${Errno.MFILE}`);
  await assertHonestRunWorks(vfs);
});

test('directory depth: 5,000 nested directories stop at maxDepth with ENAMETOOLONG', async () => {
  const vfs = new Vfs();
  const result = (await withinBound(0, () => hostile(vfs, ['deep', '5000']))) as {
    stdout: Uint8Array;
  };
  // /output is the first level of 256
  assert.equal(lines(result.stdout).get('depth'), `255 errno ${Errno.NAMETOOLONG}`);
  await assertHonestRunWorks(vfs);
  // A run with a lower budget than the tree already holds is refused, typed, and harms nothing.
  await assert.rejects(hostile(vfs, ['dotdot'], { maxDepth: 16 }), hasCode('ERR_RESOURCE_LIMIT'));
  await assertHonestRunWorks(vfs);
});

test('name length: a name longer than maxNameBytes is ENAMETOOLONG', async () => {
  const vfs = new Vfs();
  const long = (await hostile(vfs, ['name', '256'])) as { stdout: Uint8Array };
  assert.equal(lines(long.stdout).get('name'), `errno ${Errno.NAMETOOLONG}`);
  const fits = (await hostile(vfs, ['name', '255'])) as { stdout: Uint8Array };
  assert.equal(lines(fits.stdout).get('name'), 'errno 0');
  assert.throws(
    () => vfs.writeUnchecked(`/output/${'n'.repeat(256)}`, bytes('x')),
    hasCode('ERR_RESOURCE_LIMIT'),
  );
  await assertHonestRunWorks(vfs);
});

test('path_open of file/.. is ENOTDIR, as in POSIX and wasmtime', async () => {
  const result = (await hostile(new Vfs(), ['dotdot'])) as { stdout: Uint8Array };
  assert.equal(lines(result.stdout).get('dotdot'), `errno ${Errno.NOTDIR}`);
});

// Last: this run is allowed 256 MiB of output, which raises the peak the other tests measure from.
test('time: handling 128 MiB of stderr without a newline stays within the time budget', async () => {
  const vfs = new Vfs();
  const started = Date.now();
  let seen = 0;
  await assert.rejects(
    runProgram({
      program: guestBytes('hostile'),
      args: ['flood', 'stderr', '128'],
      vfs,
      rights: allRights([]),
      limits: { timeoutMs: 1000, maxOutputBytes: 256 * MiB },
      // A slow consumer of output: the budget must cover the host's handling too.
      onStderr: (chunk) => {
        seen += chunk.length;
        const until = Date.now() + 50;
        while (Date.now() < until);
      },
    }),
    hasCode('ERR_EXECUTION_TIMEOUT'),
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 2500, `took ${elapsed} ms for a 1000 ms budget (${seen} bytes handled)`);
  await assertHonestRunWorks(vfs);
});
