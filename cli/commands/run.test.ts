import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { captureIo, type CapturedIo } from '../command.js';
import { main } from '../main.js';
import { makeTestPolicy } from '../../protocol/testing/index.js';
import { serializePolicyJson } from '../../protocol/index.js';

const guest = (name: string): string =>
  fileURLToPath(new URL(`../../enclave/guests/${name}.wasm`, import.meta.url));
/** What the guest wrote to stdout / stderr, byte for byte, as text. */
const guestOut = (io: CapturedIo): string => Buffer.from(io.stdoutBytes()).toString('utf8');
const guestErr = (io: CapturedIo): string => Buffer.from(io.stderrBytes()).toString('utf8');
const work = mkdtempSync(join(tmpdir(), 'vc-run-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('vc run copies --input in, runs the guest, copies --output back and exits with its code', async () => {
  const input = join(work, 'in');
  const output = join(work, 'out');
  mkdirSync(input);
  writeFileSync(join(input, 'a.txt'), 'hello');
  const io = captureIo();
  const code = await main(
    [
      'run',
      guest('copy'),
      '--input',
      input,
      '--output',
      output,
      '--env',
      'GREETING=hi',
      '--',
      'one',
    ],
    io,
  );
  assert.equal(code, 0);
  assert.equal(guestOut(io), 'arg one\nenv GREETING=hi\na.txt 5\n');
  assert.equal(guestErr(io), 'done\n');
  assert.equal(readFileSync(join(output, 'a.txt'), 'utf8'), 'olleh');
});

test('vc run refuses a missing program argument as a usage error', async () => {
  const io = captureIo();
  assert.equal(await main(['run'], io), 2);
  assert.match(io.stderr.join(''), /ERR_USAGE/);
});

test('vc run --json reports exit code and output in one object', async () => {
  const input = join(work, 'in-json');
  mkdirSync(input);
  writeFileSync(join(input, 'b'), 'xy');
  const io = captureIo();
  const code = await main(
    ['run', guest('copy'), '--input', input, '--output', join(work, 'out-json'), '--json'],
    io,
  );
  assert.equal(code, 0);
  const report = JSON.parse(io.stdout.join('')) as { exitCode: number; stdout: string };
  assert.equal(report.exitCode, 0);
  assert.equal(report.stdout, 'b 2\n');
});

test('vc run exits with the guest exit code and reports limits as refusals', async () => {
  const bomb = captureIo();
  assert.equal(await main(['run', guest('malloc_bomb'), '--max-memory-mib', '4'], bomb), 3);
  assert.match(guestOut(bomb), /^blocks [0-3]\n$/);
  const loop = captureIo();
  assert.equal(await main(['run', guest('loop'), '--timeout-ms', '500'], loop), 1);
  assert.match(loop.stderr.join(''), /error ERR_EXECUTION_TIMEOUT/);
});

test('vc run --dir: read-only mounts refuse writes, writable ones are copied back', async () => {
  const ro = join(work, 'ro');
  const rw = join(work, 'rw');
  mkdirSync(ro);
  mkdirSync(rw);
  writeFileSync(join(ro, 'x'), 'data');
  const io = captureIo();
  // copy.wasm reads /input and writes /output: here /output is read-only, so its writes fail
  const code = await main(
    ['run', guest('copy'), '--dir', `${ro}::/input:ro`, '--dir', `${rw}::/output:ro`],
    io,
  );
  assert.equal(code, 3);
  assert.match(guestErr(io), /\/output\/x: Capabilities insufficient/);
  const ok = captureIo();
  assert.equal(
    await main(['run', guest('copy'), '--dir', `${ro}::/input:ro`, '--dir', `${rw}::/output`], ok),
    0,
  );
  assert.equal(readFileSync(join(rw, 'x'), 'utf8'), 'atad');
  assert.equal(
    readFileSync(join(ro, 'x'), 'utf8'),
    'data',
    'read-only mounts are never written back',
  );
});

test('vc run --strace prints each WASI call', async () => {
  const input = join(work, 'in-strace');
  mkdirSync(input);
  const io = captureIo();
  assert.equal(
    await main(
      ['run', guest('copy'), '--input', input, '--output', join(work, 'o-strace'), '--strace'],
      io,
    ),
    0,
  );
  const trace = io.stderr.filter((line) => line.startsWith('[wasi] '));
  assert.ok(trace.some((line) => /^\[wasi\] fd_prestat_get\(3, \d+\) = 0$/.test(line)));
  assert.ok(trace.some((line) => /^\[wasi\] fd_readdir\(/.test(line)));
});

test('vc run --policy --principal runs with that principal rights from the policy', async () => {
  const fixture = await makeTestPolicy({ now: new Date() });
  const policy = join(work, 'policy.json');
  writeFileSync(policy, fixture.text);
  const input = join(work, 'in-policy');
  mkdirSync(input);
  writeFileSync(join(input, 'p'), 'pol');
  const output = join(work, 'out-policy');
  const common = ['--input', input, '--output', output, '--policy', policy];
  // The program principal may read /input and write /output.
  const asProgram = captureIo();
  assert.equal(
    await main(['run', guest('copy'), ...common, '--principal', fixture.programPath], asProgram),
    0,
  );
  assert.equal(readFileSync(join(output, 'p'), 'utf8'), 'lop');
  // The data provider (#1) may only write /input: the same program cannot read its input.
  const asProvider = captureIo();
  assert.equal(await main(['run', guest('copy'), ...common, '--principal', '1'], asProvider), 2);
  assert.equal(guestOut(asProvider), '', 'no stdout right either');
  const unknown = captureIo();
  assert.equal(
    await main(['run', guest('copy'), '--policy', policy, '--principal', '7'], unknown),
    2,
  );
  assert.match(unknown.stderr.join(''), /ERR_USAGE/);
});

test('vc run --pipeline with a policy: the caller needs x, steps get the pipeline rights', async () => {
  const fixture = await makeTestPolicy({ now: new Date() });
  const policy = join(work, 'policy-pipe.json');
  writeFileSync(policy, fixture.text);
  const programs = join(work, 'programs-policy');
  mkdirSync(programs);
  writeFileSync(join(programs, 'example.wasm'), readFileSync(guest('copy')));
  const input = join(work, 'in-policy-pipe');
  mkdirSync(input);
  writeFileSync(join(input, 'k'), 'ab');
  const text = `${fixture.programPath} ; if /output/again { ${fixture.programPath} }`;
  const common = [
    '--pipeline',
    text,
    '--dir',
    `${programs}::/program:ro`,
    '--input',
    input,
    '--output',
    join(work, 'out-pp'),
    '--policy',
    policy,
  ];
  const reader = captureIo();
  assert.equal(await main(['run', ...common, '--principal', '2'], reader), 0);
  assert.equal(readFileSync(join(work, 'out-pp', 'k'), 'utf8'), 'ba');
  const provider = captureIo();
  assert.equal(await main(['run', ...common, '--principal', '1'], provider), 1);
  assert.match(provider.stderr.join(''), /ERR_ACCESS_DENIED/);
});

test('vc run --pipeline runs programs placed in the file system', async () => {
  const programs = join(work, 'programs');
  mkdirSync(programs);
  writeFileSync(join(programs, 'copy.wasm'), readFileSync(guest('copy')));
  const input = join(work, 'in-pipe');
  mkdirSync(input);
  writeFileSync(join(input, 'q'), 'xyz');
  const output = join(work, 'out-pipe');
  const io = captureIo();
  const code = await main(
    [
      'run',
      '--pipeline',
      '/program/copy.wasm ; if /output/q { /program/copy.wasm }',
      '--dir',
      `${programs}::/program:ro`,
      '--input',
      input,
      '--output',
      output,
    ],
    io,
  );
  assert.equal(code, 0);
  assert.equal(guestOut(io), 'q 3\nq 3\n');
  assert.equal(readFileSync(join(output, 'q'), 'utf8'), 'zyx');
});

test('vc run: 128 MiB of stderr without a newline ends within --timeout-ms', async () => {
  const io = captureIo();
  const started = Date.now();
  const code = await main(
    ['run', guest('hostile'), '--timeout-ms', '3000', '--', 'flood', 'stderr', '128'],
    io,
  );
  const elapsed = Date.now() - started;
  assert.equal(code, 1);
  // Stopped by the output budget (64 MiB) or, on a slow machine, by the time budget first.
  assert.match(io.stderr.at(-1) ?? '', /error ERR_(RESOURCE_LIMIT|EXECUTION_TIMEOUT)/);
  // The budget plus the time to terminate the worker and print what was already received.
  assert.ok(elapsed < 6000, `took ${elapsed} ms for a budget of 3000 ms`);
});

test('vc run --output never writes through a symbolic link already in the output folder', async () => {
  const input = join(work, 'in-link');
  const output = join(work, 'out-link');
  const outside = join(work, 'outside-link');
  mkdirSync(input);
  mkdirSync(output);
  mkdirSync(outside);
  writeFileSync(join(input, 'a.txt'), 'guest bytes');
  writeFileSync(join(outside, 'victim'), 'host secret');
  symlinkSync(join(outside, 'victim'), join(output, 'a.txt'));
  const io = captureIo();
  // The link is copied in as a link; its absolute target cannot be followed beneath the guest's
  // pre-open, so the guest's open fails (copy.c exits 3) and nothing is copied back. A file the
  // guest would put in its place is refused at copy-back (ERR_OUTPUT_SYMLINK, host-dirs.test.ts).
  assert.equal(await main(['run', guest('copy'), '--input', input, '--output', output], io), 3);
  assert.match(guestErr(io), /\/output\/a\.txt: Capabilities insufficient/);
  assert.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'host secret');
  assert.ok(lstatSync(join(output, 'a.txt')).isSymbolicLink());
});

test("vc run --policy serves the policy's static native modules; a platform without the native sandbox refuses a dynamic one", async () => {
  const fixture = await makeTestPolicy({ now: new Date() });
  const json = structuredClone(fixture.json) as Record<string, unknown>;
  const program = (json['programs'] as Array<{ file_rights: unknown[] }>)[0]!;
  program.file_rights.push({ file_name: '/services/', rights: 550470 });
  json['native_modules'] = [
    {
      name: 'Counter mode AES Service',
      type: { Static: { special_file: '/services/aesctr.dat' } },
    },
  ];
  const policy = join(work, 'policy-native.json');
  writeFileSync(policy, serializePolicyJson(json as never));
  const output = join(work, 'out-native');
  const aesctr = fileURLToPath(
    new URL('../../sdk/examples/aesctr-native/aesctr-native.wasm', import.meta.url),
  );
  const io = captureIo();
  const args = ['run', aesctr, '--output', output, '--policy', policy];
  assert.equal(
    await main([...args, '--principal', fixture.programPath], io),
    0,
    io.stderr.join(''),
  );
  assert.equal(readFileSync(join(output, 'enc.dat')).toString('hex'), 'a1205e157cf1b3');
  assert.equal(readFileSync(join(output, 'aesctr_native_pass.txt')).length, 0);

  json['native_modules'] = [
    {
      name: 'tool',
      type: { Dynamic: { special_file: '/services/t', entry_point: '/usr/bin/true' } },
    },
  ];
  writeFileSync(policy, serializePolicyJson(json as never));
  const saved = process.env['PATH'];
  process.env['PATH'] = '/nonexistent';
  try {
    const refused = captureIo();
    assert.equal(await main([...args, '--principal', fixture.programPath], refused), 1);
    assert.match(refused.stderr.join(''), /ERR_NATIVE_SANDBOX_UNAVAILABLE/);
  } finally {
    process.env['PATH'] = saved;
  }
});
