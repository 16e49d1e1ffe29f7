// scripts/wasm-cc.sh must give the same bytes whatever `wasm-opt` is on PATH (under `npm run`,
// binaryen's is), so that guests and benchmark kernels built through npm match a direct build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasBinary, requireResource } from '../test-support/requirements.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A PATH whose first directory holds a `wasm-opt` that leaves a marker and fails if it is run. */
function poisonedPath(dir: string): { path: string; marker: string } {
  const marker = join(dir, 'wasm-opt-ran');
  const bin = join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(join(bin, 'wasm-opt'), `#!/bin/sh\ntouch '${marker}'\nexit 1\n`);
  chmodSync(join(bin, 'wasm-opt'), 0o755);
  return { path: `${bin}${delimiter}${process.env['PATH'] ?? ''}`, marker };
}

function wasmCc(path: string, out: string, src: string, flags: string[]): void {
  const r = spawnSync('bash', ['scripts/wasm-cc.sh', out, src, ...flags], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: path },
  });
  assert.equal(r.status, 0, `wasm-cc.sh failed: ${r.stderr}`);
}

test('a wasm-opt on PATH is never run and the committed guest bytes are rebuilt', (t) => {
  if (!requireResource(t, 'clang for wasm32-wasi', hasBinary('clang'))) return;
  const dir = mkdtempSync(join(tmpdir(), 'vc-wasm-cc-'));
  try {
    const { path, marker } = poisonedPath(dir);
    const out = join(dir, 'trap.wasm');
    // The flags of scripts/build-test-guests.sh.
    wasmCc(path, out, 'enclave/guests/trap.c', [
      '-O2',
      '-s',
      `-ffile-prefix-map=${root.replace(/\/$/, '')}=.`,
      '-Wall',
      '-Werror',
      '-Wno-unused-result',
    ]);
    assert.equal(existsSync(marker), false, 'clang ran the wasm-opt found on PATH');
    assert.deepEqual(readFileSync(out), readFileSync(join(root, 'enclave/guests/trap.wasm')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a SIMD kernel builds with a wasm-opt on PATH, taking -msimd128 from its build-flags line', (t) => {
  if (!requireResource(t, 'clang for wasm32-wasi', hasBinary('clang'))) return;
  const dir = mkdtempSync(join(tmpdir(), 'vc-wasm-cc-'));
  try {
    const { path, marker } = poisonedPath(dir);
    const out = join(dir, 'matmul.wasm');
    wasmCc(path, out, 'bench/kernels/matmul.c', ['-O2', '-s']);
    assert.equal(existsSync(marker), false, 'clang ran the wasm-opt found on PATH');
    // Without -msimd128 the module would hold no v128 instruction; f32x4.mul is 0xfd 0xe6 0x01.
    const bytes = readFileSync(out);
    assert.ok(bytes.includes(Buffer.from([0xfd, 0xe6, 0x01])), 'no SIMD instruction in the kernel');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
