import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  onInterruptCleanup,
  privateDir,
  privateTempDir,
  runInterruptCleanups,
} from './private-dir.js';

const facility = fileURLToPath(new URL('./private-dir.ts', import.meta.url));

test('a private temporary folder is mode 0700 and gone once its owner removes it', () => {
  const dir = privateTempDir('vc-private-test-');
  assert.equal(statSync(dir.path).mode & 0o777, 0o700);
  writeFileSync(join(dir.path, 'key.pem'), 'x', { mode: 0o600 });
  dir.remove();
  dir.remove(); // idempotent
  assert.equal(existsSync(dir.path), false);
});

test('a lasting private folder is made, or made private again, mode 0700', () => {
  const dir = privateTempDir('vc-private-test-');
  const cache = join(dir.path, 'cache', 'components');
  assert.equal(privateDir(cache), cache);
  assert.equal(statSync(cache).mode & 0o777, 0o700);
  chmodSync(cache, 0o777); // loosened since, or made by someone with a lax umask
  privateDir(cache);
  assert.equal(statSync(cache).mode & 0o777, 0o700);
  dir.remove();
  const shared = join(tmpdir(), `vc-private-test-${process.pid}`);
  mkdirSync(shared, { mode: 0o755 });
  privateDir(shared);
  assert.equal(statSync(shared).mode & 0o777, 0o700);
  rmSync(shared, { recursive: true });
});

/** A child process that makes a folder, prints its path, then waits (or exits) as told. */
async function child(ending: 'exit' | 'signal'): Promise<{ path: string; code: number | null }> {
  const script = `
    const { privateTempDir } = await import(${JSON.stringify(facility)});
    const dir = privateTempDir('vc-private-test-');
    console.log(dir.path);
    ${ending === 'exit' ? 'process.exit(3);' : 'setInterval(() => {}, 1000);'}
  `;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const path = await new Promise<string>((resolve) =>
    proc.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  if (ending === 'signal') proc.kill('SIGTERM'); // our own child
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  return { path, code };
}

test('a folder still registered is removed when its process exits, or is ended by SIGTERM', async () => {
  const exited = await child('exit');
  assert.equal(exited.code, 3);
  assert.equal(existsSync(exited.path), false, 'removed on process.exit');
  const signalled = await child('signal');
  assert.equal(signalled.code, 143, 'ends as SIGTERM would (128 + 15)');
  assert.equal(existsSync(signalled.path), false, 'removed on SIGTERM');
});

test('interrupt clean-ups run once each, including one registered while they run, then folders go', async () => {
  const dir = privateTempDir('vc-private-test-');
  const ran: string[] = [];
  const forgotten = onInterruptCleanup(() => void ran.push('forgotten'));
  forgotten();
  onInterruptCleanup(async () => {
    ran.push('first');
    onInterruptCleanup(() => void ran.push('late'));
  });
  await runInterruptCleanups(5_000);
  assert.deepEqual(ran, ['first', 'late']);
  assert.equal(existsSync(dir.path), false);
});
