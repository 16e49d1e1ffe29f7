import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { captureIo } from '../command.js';
import { main } from '../main.js';

const guest = (name: string): string =>
  fileURLToPath(new URL(`../../enclave/guests/${name}.wasm`, import.meta.url));
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
  assert.equal(io.stdout.join(''), 'arg one\nenv GREETING=hi\na.txt 5\n');
  assert.equal(io.stderr.join(''), 'done\n');
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
