import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  PostcardIncomplete,
  PostcardMalformed,
  PostcardReader,
  PostcardWriter,
} from './postcard.js';

test('varints and zigzag integers have postcard bytes', () => {
  assert.deepEqual([...new PostcardWriter().varint(300).bytes()], [0xac, 0x02]);
  assert.deepEqual([...new PostcardWriter().signed(-1, 64).bytes()], [0x01]);
  assert.deepEqual([...new PostcardWriter().signed(1, 64).bytes()], [0x02]);
  assert.deepEqual([...new PostcardWriter().string('ab').bool(true).bytes()], [2, 0x61, 0x62, 1]);
  // f32 as serde writes it: 0.45f32 is 0x3ee66666, little-endian.
  assert.deepEqual([...new PostcardWriter().f32(0.45).bytes()], [0x66, 0x66, 0xe6, 0x3e]);
  const r = new PostcardReader(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
  assert.equal(r.varint(32), 0xffffffffn);
});

test('integers round-trip at every width (property)', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      (i, u) => {
        const bytes = new PostcardWriter().signed(i, 64).varint(u).bytes();
        const r = new PostcardReader(bytes);
        assert.equal(r.signed(64), i);
        assert.equal(r.varint(64), u);
        r.end();
      },
    ),
  );
});

test('short input is incomplete; impossible input is malformed', () => {
  assert.throws(() => new PostcardReader(Uint8Array.from([0x80])).varint(32), PostcardIncomplete);
  assert.throws(() => new PostcardReader(Uint8Array.from([3, 0x61])).string(), PostcardIncomplete);
  assert.throws(() => new PostcardReader(Uint8Array.from([2])).bool(), PostcardMalformed);
  assert.throws(
    () => new PostcardReader(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x1f])).varint(32),
    PostcardMalformed,
  );
  assert.throws(
    () => new PostcardReader(Uint8Array.from([2, 0x61, 0x62])).char(),
    PostcardMalformed,
  );
  assert.throws(() => new PostcardReader(Uint8Array.from([1, 0xff])).string(), PostcardMalformed);
  assert.throws(() => new PostcardReader(Uint8Array.from([1])).end(), PostcardMalformed);
});

test('a string or char starting with U+FEFF keeps it', () => {
  const bytes = new PostcardWriter().string('\ufeffa').string('\ufeff').bytes();
  const r = new PostcardReader(bytes);
  assert.equal(r.string(), '\ufeffa');
  assert.equal(r.char(), '\ufeff');
});
