// SIGINT/SIGTERM on real `vc` processes (issue 14, item 6): a one-shot command stops, cleans up and
// exits 130 with ERR_INTERRUPTED; a service drains and exits 0; neither leaves a process or a
// `vc-*` temporary folder behind. Each child gets a fresh TMPDIR, so its own folders (and its
// whole process tree, which inherits the variable) can be told from everybody else's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { privateTempDir, startNatsServer } from '../transport/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { hasProc, processesWithEnv, vcTempFolders } from '../test-support/leftovers.js';

const vc = fileURLToPath(new URL('../bin/vc.mjs', import.meta.url));

interface Running {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
}

function runVc(args: string[], tmp: string): Running {
  const child = spawn(process.execPath, [vc, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TMPDIR: tmp },
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.on('data', (d: Buffer) => stdout.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, stdout, stderr, exited };
}

async function until(what: string, ready: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(100);
  }
}

/** Sends the signal and returns the exit code and the seconds it took. */
async function signalAndWait(
  running: Running,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; seconds: number }> {
  const start = Date.now();
  running.child.kill(signal); // our own child, by its pid
  const code = await Promise.race([
    running.exited,
    sleep(60_000).then(() => {
      running.child.kill('SIGKILL');
      throw new Error(`no exit within 60 s of ${signal}: ${running.stderr.join('')}`);
    }),
  ]);
  return { code, seconds: (Date.now() - start) / 1000 };
}

function assertNothingLeft(tmp: string): void {
  assert.deepEqual(vcTempFolders(tmp), [], 'no vc-* temporary folder is left');
  if (hasProc) {
    const left = processesWithEnv(`TMPDIR=${tmp}`);
    const described = left.length > 0 ? execSync(`ps -o pid,ppid,args -p ${left.join(',')}`) : '';
    assert.deepEqual(left, [], `no process is left: ${String(described)}`);
  }
}

test('SIGINT mid-run of vc scenario run --processes: ERR_INTERRUPTED, exit 130 within seconds, nothing left', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
  const tmp = privateTempDir('vc-signals-test-');
  try {
    const run = runVc(
      ['scenario', 'run', 'sealed-bid-auction', '--processes', '--journal', join(tmp.path, 'j')],
      tmp.path,
    );
    // Mid-run: a host has started an enclave worker process (its private policy folder exists).
    await until(
      'an enclave worker started',
      () => vcTempFolders(tmp.path).some((name) => name.startsWith('vc-enclave-')),
      120_000,
    );
    const { code, seconds } = await signalAndWait(run, 'SIGINT');
    assert.equal(code, 130, run.stderr.join(''));
    assert.ok(seconds < 30, `exited after ${seconds} s`);
    assert.match(run.stderr.join(''), /error ERR_INTERRUPTED: scenario interrupted by SIGINT/);
    assertNothingLeft(tmp.path);
  } finally {
    tmp.remove();
  }
});

test('SIGTERM or SIGINT on vc host: drains and exits 0 within seconds, nothing left', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
  const server = await startNatsServer();
  const tmp = privateTempDir('vc-signals-test-');
  try {
    const simKey = join(tmp.path, 'sim-key.pem');
    const made = runVc(['attest', 'sim-key', '--out', simKey], tmp.path);
    assert.equal(await made.exited, 0, made.stderr.join(''));
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const host = runVc(['host', '--nats', server.url, '--sim-key', simKey], tmp.path);
      await until('the host serves', () => host.stdout.join('').includes('serving'), 60_000);
      const { code, seconds } = await signalAndWait(host, signal);
      assert.equal(code, 0, `${signal}: ${host.stderr.join('')}`);
      assert.ok(seconds < 15, `${signal}: exited after ${seconds} s`);
      assertNothingLeft(tmp.path);
    }
  } finally {
    tmp.remove();
    await server.stop();
  }
});

test('a second SIGINT exits at once; the children, told to end, still leave nothing behind', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
  const tmp = privateTempDir('vc-signals-test-');
  try {
    const run = runVc(
      ['scenario', 'run', 'shamir', '--processes', '--journal', join(tmp.path, 'j')],
      tmp.path,
    );
    await until(
      'an enclave worker started',
      () => vcTempFolders(tmp.path).some((name) => name.startsWith('vc-enclave-')),
      120_000,
    );
    run.child.kill('SIGINT'); // our own child
    await sleep(50);
    const { code, seconds } = await signalAndWait(run, 'SIGINT');
    assert.equal(code, 130, run.stderr.join(''));
    assert.ok(seconds < 5, `exited ${seconds} s after the second SIGINT`);
    // The children got SIGTERM as the process exited and drain on their own, within seconds.
    await until(
      'the children ended and removed their folders',
      () =>
        vcTempFolders(tmp.path).length === 0 &&
        (!hasProc || processesWithEnv(`TMPDIR=${tmp.path}`).length === 0),
      30_000,
    );
  } finally {
    tmp.remove();
  }
});
