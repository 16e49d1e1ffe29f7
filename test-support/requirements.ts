// Tests that need something a fresh clone may lack (a `nats-server` binary, `../shared/testdata`,
// a wasm toolchain) call `requireResource`. On a developer's machine a missing resource skips the
// test loudly; under CI (`CI=true` or `VC_REQUIRE_ALL=1`) a missing resource fails the test, so CI
// can never pass by skipping.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

const strictResources = process.env['CI'] === 'true' || process.env['VC_REQUIRE_ALL'] === '1';

/** Absolute path of `../shared/testdata` beside the checkout. */
export const sharedTestdata = fileURLToPath(new URL('../../shared/testdata/', import.meta.url));

export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function hasSharedTestdata(): boolean {
  return existsSync(sharedTestdata);
}

/**
 * Returns true when the resource is present. Otherwise skips the test with a loud message, or
 * throws under CI.
 */
export function requireResource(t: TestContext, what: string, available: boolean): boolean {
  if (available) return true;
  const message = `MISSING TEST RESOURCE: ${what}`;
  if (strictResources) throw new Error(`${message} (CI requires it)`);
  console.warn(`\n*** ${message}: skipping "${t.name}" ***\n`);
  t.skip(message);
  return false;
}
