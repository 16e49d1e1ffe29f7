import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, parseStrictJson } from './strict-json.js';

function refusal(text: string): { code?: string; path?: string } {
  try {
    parseStrictJson(text);
  } catch (error) {
    const e = error as { code?: string; details?: { path?: string } };
    return { code: e.code, path: e.details?.path };
  }
  return {};
}

test('reads what JSON.parse reads', () => {
  for (const text of [
    '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {}}',
    '[]',
    '"s"',
    ' 0 ',
  ]) {
    assert.deepEqual(JSON.parse(JSON.stringify(parseStrictJson(text))), JSON.parse(text));
  }
});

test('duplicate keys are refused at any depth, with the path of the second one', () => {
  assert.deepEqual(refusal('{"a": 1, "a": 2}'), { code: 'ERR_POLICY_DUPLICATE_KEY', path: '$.a' });
  assert.deepEqual(refusal('{"x": [{"b": 1}, {"b": 1, "b": 1}]}'), {
    code: 'ERR_POLICY_DUPLICATE_KEY',
    path: '$.x[1].b',
  });
  assert.deepEqual(refusal('{"a b": 1, "a b": 2}'), {
    code: 'ERR_POLICY_DUPLICATE_KEY',
    path: '$["a b"]',
  });
});

test('__proto__ is an ordinary key and pollutes nothing', () => {
  const value = parseStrictJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
  assert.deepEqual(Object.keys(value), ['__proto__']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Object.getPrototypeOf(value), null);
});

test('syntax errors and excessive depth are refused with their own codes', () => {
  for (const text of [
    '',
    '{',
    '{"a" 1}',
    '{"a": 1,}',
    '[1 2]',
    '{"a": tru}',
    '"\u0001"',
    '01',
    '{} {}',
    '"\\x"',
  ]) {
    assert.equal(refusal(text).code, 'ERR_POLICY_BAD_JSON', JSON.stringify(text));
  }
  assert.equal(
    refusal(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`).code,
    'ERR_POLICY_TOO_DEEP',
  );
  assert.equal(
    refusal(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`).code,
    undefined,
  );
});
