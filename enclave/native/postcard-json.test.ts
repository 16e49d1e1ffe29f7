import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PostcardIncomplete, PostcardMalformed, PostcardWriter } from '../../protocol/index.js';
import { postcardStructsToJson } from './postcard-json.js';

test('one Struct3 of each variant becomes the JSON serde_json writes', () => {
  const w = new PostcardWriter().varint(1);
  // e1: ENUM2_1(Struct2)
  w.varint(0)
    .varint(1)
    .varint(2)
    .varint(2n ** 64n - 1n);
  w.f64(0.5).f64(1).f64(1e-7).signed(-1, 64).signed(0, 64).signed(7, 64);
  w.string('a').string('"').string('é');
  w.varint(2).string('z'); // Enum1::ENUM1_3('z')
  for (let i = 0; i < 7; i++) w.varint(i);
  for (let i = 0; i < 13; i++) w.signed(-i, 32);
  w.varint(3);
  for (let i = 0; i < 11; i++) w.string('x'); // Enum1::ENUM1_4
  w.varint(1); // e2: ENUM2_2([u16; 5])
  for (let i = 0; i < 5; i++) w.varint(65535);
  w.varint(2).varint(9); // e3: ENUM2_3(9)
  const json = postcardStructsToJson(w.bytes());
  const expected =
    '[{"e1":{"ENUM2_1":{"u1":1,"u2":2,"u3":18446744073709551615,"t1":{"f1":0.5,"f2":1.0,' +
    '"f3":1e-7,"i1":-1,"i2":0,"i3":7,"c1":"a","c2":"\\"","c3":"é","e1":{"ENUM1_3":"z"}},' +
    '"array1":[0,1,2,3,4,5,6],"array2":[0,-1,-2,-3,-4,-5,-6,-7,-8,-9,-10,-11,-12],' +
    `"e1":{"ENUM1_4":[${Array(11).fill('"x"').join(',')}]}}},` +
    '"e2":{"ENUM2_2":[65535,65535,65535,65535,65535]},"e3":{"ENUM2_3":9}}]';
  assert.equal(json, expected);
  assert.equal(postcardStructsToJson(Uint8Array.from([0])), '[]');
});

test('bytes that are not a Vec<Struct3> are refused, short ones are incomplete', () => {
  assert.throws(() => postcardStructsToJson(Uint8Array.from([1, 7])), PostcardMalformed);
  assert.throws(() => postcardStructsToJson(Uint8Array.from([1, 2])), PostcardIncomplete);
  assert.throws(() => postcardStructsToJson(Uint8Array.from([0, 0])), PostcardMalformed);
});
