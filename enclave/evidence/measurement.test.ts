import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureRuntime } from './measurement.js';

test('measurement: sorted sha256sum-style manifest of runtime files, tests and guests excluded', async () => {
  const root = mkdtempSync(join(tmpdir(), 'vc-measure-'));
  try {
    mkdirSync(join(root, 'b'));
    mkdirSync(join(root, 'guests'));
    writeFileSync(join(root, 'b', 'z.ts'), 'export const z = 1;\n');
    writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'a.test.ts'), 'test');
    writeFileSync(join(root, 'guests', 'g.ts'), 'guest');
    writeFileSync(join(root, 'notes.md'), 'docs');
    const first = await measureRuntime(root);
    const h = (s: string): string => createHash('sha256').update(s).digest('hex');
    const manifest = `${h('export const a = 1;\n')}  a.ts\n${h('export const z = 1;\n')}  b/z.ts\n`;
    assert.equal(first.manifest, manifest);
    assert.equal(first.measurement, h(manifest));
    // Excluded files do not change it; a runtime file does.
    writeFileSync(join(root, 'a.test.ts'), 'changed');
    writeFileSync(join(root, 'guests', 'g.ts'), 'changed');
    assert.equal((await measureRuntime(root)).measurement, first.measurement);
    writeFileSync(join(root, 'b', 'z.ts'), 'export const z = 2;\n');
    assert.notEqual((await measureRuntime(root)).measurement, first.measurement);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('measurement of this checkout is stable across calls', async () => {
  const a = await measureRuntime();
  const b = await measureRuntime();
  assert.match(a.measurement, /^[0-9a-f]{64}$/);
  assert.equal(a.measurement, b.measurement);
  assert.ok(a.files.some((f) => f.path === 'evidence/measurement.ts'));
  assert.ok(!a.files.some((f) => f.path.endsWith('.test.ts')));
});
