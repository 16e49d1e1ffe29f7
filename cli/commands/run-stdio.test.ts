// `vc run` and the guest's standard streams: the host's stdin reaches the guest as it reads
// (streamed, not read ahead), its stdout and stderr come back byte for byte (no newline added),
// and the same program run as two policy principals sees each one's rights.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { captureIo, type CliIo } from '../command.js';
import { main } from '../main.js';
import { createIdentity, policyTextFromSpec } from '../../protocol/index.js';
import { vcBin } from '../../test-support/cli-deployment.js';

const stdio = fileURLToPath(new URL('../../enclave/guests/stdio.wasm', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'vc-run-stdio-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Bytes no line-oriented path would keep: NUL, a lone CR, invalid UTF-8, no final newline. */
const awkward = new Uint8Array([0x61, 0x00, 0x0d, 0xff, 0xfe, 0x0a, 0x0a, 0x62]);

test('vc run gives the guest the host stdin and writes its stdout and stderr byte for byte', async () => {
  const io = captureIo(awkward);
  assert.equal(await main(['run', stdio], io), 0);
  assert.deepEqual(io.stdoutBytes(), awkward);
  // At the end of input: poll_oneoff answers 0 bytes ready and FD_READWRITE_HANGUP (1).
  assert.equal(Buffer.from(io.stderrBytes()).toString(), 'eof_poll 0 1 0 0 1');
});

test('vc run streams stdin: the guest reads the first chunk before the second exists', async () => {
  const outChunks: Uint8Array[] = [];
  let echoed: () => void = () => undefined;
  const firstEchoed = new Promise<void>((resolve) => (echoed = resolve));
  const io: CliIo = {
    ...captureIo(),
    outBytes: (bytes) => {
      outChunks.push(bytes.slice());
      if (Buffer.concat(outChunks).toString() === 'first ') echoed();
    },
    async *stdin() {
      yield new TextEncoder().encode('first ');
      // Only once the guest has echoed the first chunk does the second come: a host that read
      // all input before running the guest would wait here forever.
      await Promise.race([
        firstEchoed,
        new Promise((_, reject) => setTimeout(() => reject(new Error('not streamed')), 20_000)),
      ]);
      yield new TextEncoder().encode('second');
    },
  };
  assert.equal(await main(['run', stdio], io), 0);
  assert.equal(Buffer.concat(outChunks).toString(), 'first second');
});

test('the vc process pipes its stdin to the guest and the guest output to its stdout exactly', async () => {
  const child = spawn(process.execPath, [vcBin, 'run', stdio], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  child.stdin.end(Buffer.from(awkward));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, Buffer.concat(err).toString());
  assert.deepEqual(new Uint8Array(Buffer.concat(out)), awkward);
  assert.equal(Buffer.concat(err).toString(), 'eof_poll 0 1 0 0 1');
});

test('the same program under --policy/--principal as two principals sees each one its rights', async () => {
  const now = new Date();
  const start = new Date(now.getTime() - 86_400_000);
  const [a, b, ca] = await Promise.all([
    createIdentity({ name: 'a', now: start }),
    createIdentity({ name: 'b', now: start }),
    createIdentity({ name: 'ca', now: start, ca: true }),
  ]);
  const policy = join(work, 'policy.json');
  writeFileSync(
    policy,
    policyTextFromSpec({
      participants: [
        // #0 reads the input and writes the output; #1 the reverse
        { identity: a, capabilities: ['/input/:r', '/output/:rw', 'stdout:w'] },
        { identity: b, capabilities: ['/input/:rw', '/output/:r', 'stdout:w'] },
      ],
      programs: [
        {
          path: '/program/stdio.wasm',
          bytes: readFileSync(stdio),
          capabilities: ['/input/:r', 'stdout:w'],
        },
      ],
      proxyServiceCertPem: ca.certificatePem,
      runtimeManagerHashLinux: 'ab'.repeat(32),
      expiry: new Date(now.getTime() + 86_400_000 * 30),
    }),
  );
  const runAs = async (principal: string): Promise<Map<string, string>> => {
    const input = join(work, `in-${principal}`);
    const output = join(work, `out-${principal}`);
    mkdirSync(input);
    mkdirSync(output);
    writeFileSync(join(input, 'data.txt'), 'data');
    writeFileSync(join(output, 'old.txt'), 'old');
    const io = captureIo();
    const args = ['--input', input, '--output', output, '--policy', policy];
    const code = await main(['run', stdio, ...args, '--principal', principal, '--', 'policy'], io);
    assert.equal(code, 0, io.stderr.join('\n'));
    const lines = Buffer.from(io.stdoutBytes()).toString().trim().split('\n');
    return new Map(lines.map((line) => line.split(' ') as [string, string]));
  };
  const notCapable = '76';
  const asA = await runAs('0');
  assert.deepEqual(Object.fromEntries(asA), {
    input_read: '0',
    input_write: notCapable,
    output_create: '0',
    output_read: '0',
  });
  assert.equal(readFileSync(join(work, 'out-0', 'made.txt'), 'utf8'), 'x');
  const asB = await runAs('1');
  assert.deepEqual(Object.fromEntries(asB), {
    input_read: '0',
    input_write: '0',
    output_create: notCapable,
    output_read: '0',
  });
  assert.throws(() => readFileSync(join(work, 'out-1', 'made.txt')), /ENOENT/);
});

test('poll_oneoff waits for streamed stdin: the clock fires while none has come, then stdin', async () => {
  const out: Uint8Array[] = [];
  let clockFired: () => void = () => undefined;
  const fired = new Promise<void>((resolve) => (clockFired = resolve));
  const io: CliIo = {
    ...captureIo(),
    outBytes: (bytes) => {
      out.push(bytes.slice());
      if (Buffer.concat(out).toString().startsWith('clock\n')) clockFired();
    },
    async *stdin() {
      // No input until the guest's first poll has timed out on its clock.
      await fired;
      yield new TextEncoder().encode('late');
    },
  };
  assert.equal(await main(['run', stdio, '--clock', '--', 'poll'], io), 0);
  assert.equal(Buffer.concat(out).toString(), 'clock\nstdin 4\nread 4 late\n');
});

test('a guest waiting for stdin that never comes ends at the time budget', async () => {
  const captured = captureIo();
  const io: CliIo = {
    ...captured,
    stdin: () => ({
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<Uint8Array>>(() => {}),
      }),
    }),
  };
  const started = Date.now();
  assert.equal(await main(['run', stdio, '--timeout-ms', '1000'], io), 1);
  assert.ok(Date.now() - started < 10_000, 'the blocked worker was terminated');
  assert.match(captured.stderr.join('\n'), /error ERR_EXECUTION_TIMEOUT/);
});
