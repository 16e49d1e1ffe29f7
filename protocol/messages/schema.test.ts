// Each schema check describes itself as JSON Schema (jsonSchemaOf), which docs/asyncapi.yaml is
// generated from; a check nobody described is refused rather than documented as "anything".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  arrayOf,
  bytes,
  described,
  exactlyOne,
  jsonSchemaOf,
  literal,
  obj,
  oneOf,
  str,
  uint,
  type Check,
} from './schema.js';

test('the combinators describe what they check', () => {
  // Declared apart for inference, as in bodies.ts.
  const fields = obj(
    { name: str(8, /^[a-z]+$/), n: uint(10), v: literal(1) },
    { tags: arrayOf(oneOf('a', 'b'), 2), a: bytes(4), b: bytes(4) },
  );
  const check = exactlyOne(fields, 'a', 'b');
  assert.deepEqual(jsonSchemaOf(check), {
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 8, pattern: '^[a-z]+$' },
      n: { type: 'integer', minimum: 0, maximum: 10 },
      v: { const: 1 },
      tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, maxItems: 2 },
      a: { type: 'string', format: 'binary', maxLength: 4 },
      b: { type: 'string', format: 'binary', maxLength: 4 },
    },
    required: ['name', 'n', 'v'],
    additionalProperties: false,
    oneOf: [{ required: ['a'] }, { required: ['b'] }],
  });
  assert.equal(check({ name: 'x', n: 1, v: 1, a: new Uint8Array(1) }, 'body'), undefined);
  assert.match(check({ name: 'x', n: 1, v: 2, a: new Uint8Array(1) }, 'body') ?? '', /v must be 1/);
});

test('a hand-written check is described by described(), and refused without it', () => {
  const even: Check<number> = (value, at) =>
    typeof value === 'number' && value % 2 === 0 ? undefined : `${at} must be even`;
  assert.throws(() => jsonSchemaOf(even), TypeError);
  assert.throws(() => jsonSchemaOf(obj({ n: even })), TypeError);
  const documented = described(even, () => ({ type: 'integer', multipleOf: 2 }));
  assert.deepEqual(jsonSchemaOf(obj({ n: documented })), {
    type: 'object',
    properties: { n: { type: 'integer', multipleOf: 2 } },
    required: ['n'],
    additionalProperties: false,
  });
});
