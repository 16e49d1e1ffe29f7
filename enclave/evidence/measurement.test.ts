import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureRuntime } from './measurement.js';
import { buildRuntimeBundle, ensureRuntimeBundle } from './runtime-bundle.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const h = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

test('measurement: SHA-256 of a manifest stating the bundle SHA-256 and the Node major', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-measure-'));
  try {
    const bundle = join(dir, 'runtime.mjs');
    writeFileSync(bundle, 'console.log(1);\n');
    const first = await measureRuntime({ bundle });
    const manifest = `veracruz-ts enclave runtime manifest 1\nnode 20\nbundle sha256 ${h('console.log(1);\n')}\n`;
    assert.equal(first.manifest, manifest);
    assert.equal(first.measurement, h(manifest));
    assert.equal(first.bundleSha256, h('console.log(1);\n'));
    // One byte of the bundle changes it.
    writeFileSync(bundle, 'console.log(2);\n');
    assert.notEqual((await measureRuntime({ bundle })).measurement, first.measurement);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing bundle is refused with ERR_RUNTIME_BUNDLE', async () => {
  await assert.rejects(measureRuntime({ bundle: join(tmpdir(), 'vc-no-such-runtime.mjs') }), {
    code: 'ERR_RUNTIME_BUNDLE',
  });
});

test("this checkout's bundle: deterministic, no absolute paths, and it carries the sandbox workers", async () => {
  const bundle = await ensureRuntimeBundle();
  const a = await measureRuntime();
  assert.match(a.measurement, /^[0-9a-f]{64}$/);
  assert.equal(a.measurement, (await measureRuntime()).measurement);
  assert.equal(a.bundle, bundle);
  const text = readFileSync(bundle, 'utf8');
  assert.ok(!text.includes(root), 'the checkout path is in the bundle');
  assert.ok(!text.includes(tmpdir()), 'a temporary path is in the bundle');
  assert.ok(!text.includes('sourceMappingURL'), 'the bundle points at a source map');
  // The sandbox workers' bundles are in it (as strings; the main code never imports their entries).
  for (const entry of ['enclave/runner/worker-main.ts', 'enclave/component/worker-main.ts'])
    assert.ok(text.includes(`// ${entry}\\n`), `${entry} is not in the bundle`);
  // A second build gives the same bytes.
  const dir = mkdtempSync(join(tmpdir(), 'vc-measure-'));
  try {
    const again = await buildRuntimeBundle({ outFile: join(dir, 'again.mjs') });
    assert.equal(h(readFileSync(again)), a.bundleSha256);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bundle older than one of its sources is rebuilt before it is measured', async () => {
  const bundle = await ensureRuntimeBundle();
  const rules = join(root, 'machines', 'enclave-rules.ts');
  // Now, a moment after the bundle was built: the rebuilt bundle is newer again, not forever stale.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const later = new Date();
  assert.ok(later.getTime() > statSync(bundle).mtimeMs);
  utimesSync(rules, later, later);
  const { measurement } = await measureRuntime();
  assert.ok(statSync(bundle).mtimeMs >= later.getTime(), 'the bundle was not rebuilt');
  // Same sources, same bytes.
  assert.equal(measurement, (await measureRuntime({ bundle })).measurement);
});
