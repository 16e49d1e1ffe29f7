import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rightsOn } from '../machines/policy-view.js';
import { rightsAt } from '../protocol/policy/rights.js';
import type { FileRight } from '../protocol/policy/types.js';

test("the machine's rights lookup agrees with protocol/policy's rightsAt", () => {
  const table: FileRight[] = [
    { path: '/', rights: 1 },
    { path: '/input/', rights: 2 },
    { path: '/input/private', rights: 4 },
    { path: '/output', rights: 8 },
    { path: 'stdin', rights: 16 },
    { path: '/program/a.wasm', rights: 32 },
  ];
  const paths = [
    '/x',
    '/input/a',
    '/input/private',
    '/input/private/b',
    '/input/privateer',
    '/output/r',
    '/outputs',
    'stdin',
    'stdout',
    '/program/a.wasm',
    '/program/a.wasm2',
  ];
  for (const path of paths) assert.equal(rightsOn(table, path), rightsAt(table, path), path);
  assert.equal(rightsOn([], '/a'), rightsAt([], '/a'));
});
