import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonString, ryuF64 } from './serde-json.js';

test("ryuF64: serde_json's f64 in ryu's layouts", () => {
  const cases: [number, string][] = [
    [0, '0.0'],
    [-0, '-0.0'],
    [1, '1.0'],
    [0.1, '0.1'],
    [123.456, '123.456'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e16'],
    [1.5e16, '1.5e16'],
    [1e-5, '0.00001'],
    [1.25e-6, '1.25e-6'],
    [1e-7, '1e-7'],
    [1.5e-7, '1.5e-7'],
    [1.2345e20, '1.2345e20'],
    [-2.5, '-2.5'],
    [0.30000000000000004, '0.30000000000000004'],
    [5e-324, '5e-324'],
    [Number.NaN, 'null'],
    [-Infinity, 'null'],
  ];
  for (const [x, text] of cases) assert.equal(ryuF64(x), text, String(x));
});

test("jsonString: serde_json's escapes, other characters as they are", () => {
  assert.equal(jsonString('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(jsonString('\n\r\t\b\f\u0001'), '"\\n\\r\\t\\b\\f\\u0001"');
  assert.equal(jsonString('\u00e9\u{1f600}\u007f'), '"\u00e9\u{1f600}\u007f"');
  assert.equal(jsonString('a"b\\c\n\u0001\u007f\u00e9'), '"a\\"b\\\\c\\n\\u0001\u007f\u00e9"');
});
