// Test fixtures shared by the core-module runs of the sandbox's guests (escape.test.ts,
// limits.test.ts) and their component runs (component/sandbox-guests.test.ts): the escape guest's
// file system and rights, what must be left untouched, and the trap kinds with their messages.
// The expected errnos stay in each test, where the two paths differ.
import assert from 'node:assert/strict';
import {
  RIGHTS_ALL,
  RIGHTS_READ,
  RIGHTS_WRITE,
  type RightsTable,
  type ErrorCode,
} from '../../protocol/index.js';
import { bytes, lines, text } from '../guests/guests.js';
import { Vfs } from '../vfs/vfs.js';
import type { RunResult } from '../runner/run-options.js';

export const hasCode = (code: ErrorCode) => (error: { code?: string }) => error.code === code;

/** The escape guest's rights: read-only, write-only and no-execute prefixes, no right on /secret. */
export const escapeRights: RightsTable = [
  { path: '/data/', rights: RIGHTS_ALL },
  { path: '/ro/', rights: RIGHTS_READ },
  { path: '/wo/', rights: RIGHTS_WRITE },
  { path: '/prog/', rights: RIGHTS_READ },
  { path: 'stdout', rights: RIGHTS_WRITE },
];

export function escapeVfs(): Vfs {
  const vfs = new Vfs();
  vfs.writeUnchecked('/data/hello.txt', bytes('hi'));
  vfs.writeUnchecked('/ro/r.txt', bytes('read only'));
  vfs.writeUnchecked('/wo/secret.txt', bytes('write only'));
  vfs.writeUnchecked('/prog/p.wasm', bytes('not really wasm'));
  vfs.writeUnchecked('/secret/key.txt', bytes('the key'));
  return vfs;
}

/** Asserts each attempt's errno, and that nothing outside the guest's rights changed. */
export function assertEscapesDenied(
  result: RunResult,
  vfs: Vfs,
  expected: Readonly<Record<string, number>>,
): void {
  assert.equal(result.exitCode, 0);
  const out = lines(result.stdout);
  for (const [name, errno] of Object.entries(expected))
    assert.equal(out.get(name), String(errno), `${name}: ${text(result.stdout)}`);
  assert.equal(text(vfs.readUnchecked('/secret/key.txt')), 'the key');
  assert.equal(text(vfs.readUnchecked('/ro/r.txt')), 'read only');
  assert.equal(vfs.exists('/ro/new.txt'), false);
  assert.equal(vfs.exists('/ro/d'), false);
}

/** The trap guest's kinds (its argument) and the message each trap must carry. */
export const TRAP_KINDS = [
  ['unreachable', /unreachable/],
  ['oob', /out of bounds/],
  // the C shadow stack runs below address 0 before V8's own stack would overflow
  ['stack', /out of bounds|call stack/i],
  ['divzero', /divide by zero/],
] as const;

/** Matches ERR_GUEST_TRAP whose message matches `pattern`. */
export const isTrap =
  (pattern: RegExp) =>
  (error: { code?: string; message?: string }): boolean =>
    error.code === 'ERR_GUEST_TRAP' && pattern.test(error.message ?? '');
