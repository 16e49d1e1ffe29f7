// The prebuilt CLI bundles (cli/bundle.ts) run only while fresh: bin/vc.mjs asks fresh.mjs, then
// runs the command's own bundle, and falls back to the sources through tsx once the bundles are
// older than one of their inputs (a source edited since the build) or the list of inputs names a
// file that is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCliBundle } from './bundle.js';

const vc = fileURLToPath(new URL('../bin/vc.mjs', import.meta.url));
const policy = fileURLToPath(
  new URL('../scenarios/histories/sealed-bid-auction.vcj', import.meta.url),
);

function runVc(dir: string, args: readonly string[]): { stdout: string; ran: string } {
  const run = spawnSync(process.execPath, [vc, ...args], {
    encoding: 'utf8',
    env: { ...process.env, VC_CLI_BUNDLE_DIR: dir, VC_DEBUG: '1' },
  });
  assert.equal(run.status, 0, run.stderr);
  const ran = /^vc: running (.*)$/m.exec(run.stderr)?.[1];
  assert.ok(ran, run.stderr);
  return { stdout: run.stdout, ran };
}

test('vc runs its fresh bundles, the command’s own, and the sources once they are stale', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'vc-cli-bundle-')), 'cli');
  try {
    assert.equal(await buildCliBundle({ outDir: dir }), dir);
    const fromSources = 'the sources through tsx';

    // Fresh: --version from main.mjs, `policy hash` from the policy command's bundle, with the same
    // output as from the sources.
    const version = runVc(dir, ['--version']);
    assert.equal(version.ran, join(dir, 'main.mjs'));
    const hash = runVc(dir, ['policy', 'hash', policy]);
    assert.equal(hash.ran, join(dir, 'command-policy.mjs'));
    assert.match(hash.stdout, /^[0-9a-f]{64}\n$/);
    assert.equal(runVc(join(dir, 'missing'), ['policy', 'hash', policy]).stdout, hash.stdout);
    assert.equal(runVc(join(dir, 'missing'), ['--version']).ran, fromSources);
    // The CLI's bundles carry the sandbox workers but are not the measured runtime: they measure
    // dist/enclave-runtime.mjs as the sources do, not themselves.
    const measured = runVc(dir, ['attest', 'measure']);
    assert.equal(measured.ran, join(dir, 'command-attest.mjs'));
    assert.match(measured.stdout, /^[0-9a-f]{64}\n$/);
    assert.equal(runVc(join(dir, 'missing'), ['attest', 'measure']).stdout, measured.stdout);

    // An input newer than the bundles (as after editing a source): the sources run.
    const fresh = join(dir, 'fresh.mjs');
    const built = new Date('2001-01-01T00:00:00Z');
    utimesSync(fresh, built, built);
    assert.equal(runVc(dir, ['--version']).ran, fromSources);
    assert.equal(runVc(dir, ['policy', 'hash', policy]).stdout, hash.stdout);
    const now = new Date();
    utimesSync(fresh, now, now);
    assert.equal(runVc(dir, ['--version']).ran, join(dir, 'main.mjs'));

    // An input that is gone (a source deleted or renamed since the build): the sources run.
    const inputs = `${fresh}.inputs.json`;
    const listed = JSON.parse(readFileSync(inputs, 'utf8')) as string[];
    writeFileSync(inputs, JSON.stringify([...listed, 'cli/no-such-file.ts']));
    assert.equal(runVc(dir, ['--version']).ran, fromSources);
  } finally {
    rmSync(dirname(dir), { recursive: true, force: true });
  }
});
