// Veracruz's postcard-wasm and idash2017-logistic-regression fed bytes built by hand in Veracruz's
// formats (independently of the generators), with outputs checked against values worked out here;
// every wrong shape exits non-zero with a message and writes nothing.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { requireResource } from '../../test-support/requirements.js';
import { exampleNamed } from './catalog.js';
import { PostcardWriter } from './support/postcard-codec.js';
import { outputMismatch } from './support/compare.js';
import { encodeTask, type IdashTask } from './idash2017-logistic-regression/generate.js';
import { jsonF64 } from './postcard-wasm/reference.js';
import { hasVcRun, runCommandPath, vcRun } from '../testing/vc-run.js';

const needVcRun = (t: TestContext): boolean =>
  requireResource(t, `vc run (${runCommandPath})`, hasVcRun());

const hex = (text: string): Uint8Array => Buffer.from(text.replace(/\s+/g, ''), 'hex');

async function refused(name: string, inputs: [string, Uint8Array][], message: RegExp) {
  const result = await vcRun(exampleNamed(name).wasmPath, { files: new Map(inputs) });
  assert.notEqual(result.exitCode, 0, `${name} accepted a wrong shape`);
  assert.match(result.stderr, message);
  assert.deepEqual([...result.outputs.keys()], [], 'nothing is written');
}

describe('postcard-wasm in Veracruz formats', () => {
  // One Struct3, its bytes written out field by field.
  const struct3 = [
    '00', // e1: ENUM2_1(Struct2)
    '01 ac02 ffffffffffffffffff01', // u1 = 1, u2 = 300, u3 = u64::MAX
    '000000000000f03f 000000000000e0bf 0000000000004043', // f1 = 1, f2 = -0.5, f3 = 2^53
    '01 02 ffffffffffffffffff01', // i1 = -1, i2 = 1, i3 = i64::MIN
    '0141 02c3a9 0122', // c1 = 'A', c2 = 'é', c3 = '"'
    '00 07', // e1: ENUM1_1(7)
    '00 01 02 03 7f 8001 ffff03', // array1 = [0, 1, 2, 3, 127, 128, 65535]
    '00 01 02 03 04 05 06 07 08 09 0a 0b ffffffff0f', // array2 = [0, -1, 1, ..., -6, i32::MIN]
    '03 0161 0162 0163 0164 0165 0166 0167 0168 0169 016a 010a', // ENUM1_4(['a'..'j', '\n'])
    '01 01 00 00 00 02', // e2: ENUM2_2([1, 0, 0, 0, 2])
    '02 e807', // e3: ENUM2_3(1000)
  ]
    .join('')
    .replace(/ /g, '');
  const json =
    '[{"e1":{"ENUM2_1":{"u1":1,"u2":300,"u3":18446744073709551615,' +
    '"t1":{"f1":1.0,"f2":-0.5,"f3":9007199254740992.0,"i1":-1,"i2":1,"i3":-9223372036854775808,' +
    '"c1":"A","c2":"é","c3":"\\"","e1":{"ENUM1_1":7}},' +
    '"array1":[0,1,2,3,127,128,65535],"array2":[0,-1,1,-2,2,-3,3,-4,4,-5,5,-6,-2147483648],' +
    '"e1":{"ENUM1_4":["a","b","c","d","e","f","g","h","i","j","\\n"]}}},' +
    '"e2":{"ENUM2_2":[1,0,0,0,2]},"e3":{"ENUM2_3":1000}}]';

  test("a hand-encoded Vec<Struct3> gives serde_json's text", async (t) => {
    if (!needVcRun(t)) return;
    const result = await vcRun(exampleNamed('postcard-wasm').wasmPath, {
      files: new Map([['/input/postcard.dat', hex(`01${struct3}`)]]),
    });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(
      Buffer.from(result.outputs.get('/output/postcard_wasm.txt') ?? []).toString(),
      json,
    );
  });

  test("f64 in ryu's layouts (the reference's formatter)", () => {
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
      [5e-324, '5e-324'],
      [Number.NaN, 'null'],
      [-Infinity, 'null'],
    ];
    for (const [x, text] of cases) assert.equal(jsonF64(x), text, String(x));
  });

  const wrong: [string, string, RegExp][] = [
    ['truncated', `01${struct3.slice(0, 40)}`, /input ends/],
    ['bytes after the value', `01${struct3}00`, /1 bytes after the value/],
    ['an unknown Enum2 variant', `0103`, /Enum2 at byte 1 has no variant 3/],
    [
      'an unknown Enum1 variant',
      `01${struct3.replace('00070001', '04070001')}`,
      /Enum1 .* no variant 4/,
    ],
    ['a char of two characters', `01${struct3.replace('0141', '024142')}`, /not one character/],
    ['a char that is not UTF-8', `01${struct3.replace('0141', '01ff')}`, /not UTF-8/],
    [
      'an overlong varint',
      `01${struct3.replace('01ac02', `01${'ff'.repeat(10)}01`)}`,
      /too long|overflows/,
    ],
  ];
  for (const [what, bytes, message] of wrong) {
    test(`refused: ${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await refused('postcard-wasm', [['/input/postcard.dat', hex(bytes)]], message);
    });
  }
});

describe('idash2017-logistic-regression in Veracruz formats', () => {
  const row = (y: number, ...x: number[]): number[] => [y, ...x];
  const task: IdashTask = {
    train: [row(1, 2, 1), row(-1, -1, 2), row(1, 4, -2), row(-1, -2, -1)],
    test: [row(1, 1, 1), row(-1, -1, -1)],
    iterations: 1n,
    degree: 3n,
    gammaUp: 1n,
    gammaDown: -1n,
  };

  test('one iteration by hand: weights, percentage correct and AUC', async (t) => {
    if (!needVcRun(t)) return;
    const idash = exampleNamed('idash2017-logistic-regression');
    const input = new Map([['/input/idash2017/hand.dat', encodeTask(task)]]);
    const result = await vcRun(idash.wasmPath, { files: input });
    assert.equal(result.exitCode, 0, result.stderr);
    // Normalised columns: y / 1, x1 / 4, x2 / 2. With v = 0 every ip is 0 and sig(0) = -0.5, so
    // grad_j = -0.5 * sum_r X_rj = -0.5 * [0, 0.75, 0] and gamma = 1 / (0 + 1) / 4:
    // w = v - gamma * grad = [0, 0.09375, 0]. The test set is normalised by 1, 1, 1.
    // Veracruz counts a test row as wrong when its inner product is negative, whatever its label
    // (IDASH's own data is label-multiplied): the second row is, so 50% correct. theta = y * w.x
    // without the label column is 0.09375 for both rows, and f <= t counts, so the AUC is 1.
    const expected = new PostcardWriter().uint(3);
    for (const x of [0, 0.09375, 0, 50, 1]) expected.f64(x);
    const out = result.outputs.get('/output/idash2017/hand.dat');
    assert.deepEqual(Buffer.from(out ?? []), Buffer.from(expected.finish()));
    assert.equal(outputMismatch(result.outputs, idash.reference({ files: input })), undefined);
  });

  const cases: [string, Uint8Array, RegExp][] = [
    ['an empty training set', encodeTask({ ...task, train: [] }), /training set is empty/],
    ['an empty test set', encodeTask({ ...task, test: [] }), /test set is empty/],
    [
      'rows of different lengths',
      encodeTask({ ...task, test: [row(1, 1)] }),
      /row 0 of the test set has 2 values, not 3/,
    ],
    [
      'a sigmoid degree of 4',
      encodeTask({ ...task, degree: 4n }),
      /sigmoid degree 4 is not 3, 5 or 7/,
    ],
    [
      'bytes after the value',
      Buffer.concat([encodeTask(task), Buffer.from([0])]),
      /1 bytes after the value/,
    ],
    ['a truncated value', encodeTask(task).subarray(0, 60), /input ends/],
  ];
  for (const [what, bytes, message] of cases) {
    test(`refused: ${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await refused(
        'idash2017-logistic-regression',
        [
          ['/input/idash2017/a.dat', encodeTask(task)],
          ['/input/idash2017/b.dat', bytes],
        ],
        message,
      );
    });
  }
});
