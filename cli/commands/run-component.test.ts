// `vc run` accepts WASI 0.2 components transparently: the same C program built as a core module and
// as a component (jco's preview 1 adapter) gives the same output through the same command line.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { shutdownWorkers } from '../../enclave/index.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';

const digest = (file: string): string =>
  fileURLToPath(new URL(`../../sdk/components/file-digest/${file}`, import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'vc-run-component-'));
after(async () => {
  rmSync(work, { recursive: true, force: true });
  await shutdownWorkers();
});

async function runDigest(program: string, name: string): Promise<string> {
  const input = join(work, `${name}-in`);
  const output = join(work, `${name}-out`);
  mkdirSync(input);
  writeFileSync(
    join(input, 'data.bin'),
    new Uint8Array(100_000).map((_, i) => i * 7),
  );
  const io = captureIo();
  const code = await main(['run', program, '--input', input, '--output', output, '--', '4096'], io);
  assert.equal(code, 0, io.stderr.join('\n'));
  return readFileSync(join(output, 'digest.txt'), 'utf8');
}

test('vc run gives a component the same result as the core module it was built from', async () => {
  const core = await runDigest(digest('file-digest.wasm'), 'core');
  const component = await runDigest(digest('file-digest.component.wasm'), 'component');
  assert.match(core, /^bytes=100000 fnv1a64=[0-9a-f]{16}\n$/);
  assert.equal(component, core);
});

test('arguments after -- belong to the guest, even --help', async () => {
  const io = captureIo();
  const code = await main(['run', digest('file-digest.wasm'), '--', '--help'], io);
  // The guest ran (and failed to open its missing input) instead of vc printing its usage.
  assert.equal(code, 1);
  assert.match(Buffer.from(io.stderrBytes()).toString(), /file-digest: \/input\/data\.bin/);
});
