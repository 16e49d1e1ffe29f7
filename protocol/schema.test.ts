import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s, type Infer } from './schema.js';
import { isVcError } from './errors.js';

const provision = s.object({
  path: s.string({ min: 1, max: 256, pattern: /^\// }),
  data: s.bytes({ max: 1024 }),
  mode: s.literal('write', 'append'),
  chunk: s.optional(s.int({ min: 0 })),
  tags: s.array(s.string(), { max: 2 }),
  meta: s.record(s.string(), s.nullable(s.number())),
  op: s.union('type', {
    a: s.object({ type: s.literal('a'), x: s.boolean() }),
    b: s.object({ type: s.literal('b') }),
  }),
});
type Provision = Infer<typeof provision>;

const good: Provision = {
  path: '/input/x',
  data: new Uint8Array(2),
  mode: 'write',
  tags: ['t'],
  meta: { k: 1.5, n: null },
  op: { type: 'a', x: true },
};

test('a valid body passes and keeps its values; optional fields may be absent', () => {
  assert.deepEqual(provision(good), good);
  assert.deepEqual(provision({ ...good, chunk: 3 }).chunk, 3);
});

test('each violation is refused with ERR_BODY_SCHEMA and the path', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ path: 'relative' }, '.path'],
    [{ data: 'str' }, '.data'],
    [{ data: new Uint8Array(2000) }, '.data'],
    [{ mode: 'delete' }, '.mode'],
    [{ chunk: 1.5 }, '.chunk'],
    [{ chunk: 2n ** 60n }, '.chunk'],
    [{ tags: ['a', 'b', 'c'] }, '.tags'],
    [{ tags: [1] }, '.tags[0]'],
    [{ meta: { k: 'x' } }, '.meta.k'],
    [{ op: { type: 'c' } }, '.op.type'],
    [{ op: { type: 'a' } }, '.op.x'],
    [{ extra: 1 }, '.extra'],
  ];
  for (const [patch, path] of cases) {
    assert.throws(
      () => provision({ ...good, ...patch }),
      (e: unknown) => isVcError(e, 'ERR_BODY_SCHEMA') && e.details?.['path'] === path,
      path,
    );
  }
  assert.throws(
    () => provision([good]),
    (e: unknown) => isVcError(e, 'ERR_BODY_SCHEMA'),
  );
  assert.throws(
    () => provision(null),
    (e: unknown) => isVcError(e, 'ERR_BODY_SCHEMA'),
  );
});
