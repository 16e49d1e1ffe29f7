import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Packr } from 'msgpackr';
import { decodePlain, encodePlain, defaultLimits } from './plain-msgpack.js';
import { isVcError } from '../protocol/index.js';

const require = createRequire(import.meta.url);
const suite = require('msgpack-test-suite') as Record<string, Array<Record<string, unknown>>>;

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/-/g, ''), 'hex'));

function refusedWith(code: string, fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => isVcError(e) && e.code === code);
}

test('msgpack-test-suite: every plain case decodes to its value; every ext/timestamp case is refused', () => {
  let plain = 0;
  let refused = 0;
  for (const [file, cases] of Object.entries(suite)) {
    for (const c of cases) {
      for (const encoded of c['msgpack'] as string[]) {
        const bytes = hex(encoded);
        const where = `${file} ${encoded}`;
        if ('ext' in c || 'timestamp' in c) {
          refusedWith('ERR_ENVELOPE_EXTENSION_TYPE', () => decodePlain(bytes));
          refused++;
          continue;
        }
        const value = decodePlain(bytes);
        plain++;
        if ('bignum' in c) assert.equal(String(value), c['bignum'], where);
        else if ('binary' in c) assert.deepEqual(value, hex(c['binary'] as string), where);
        else if ('nil' in c) assert.equal(value, null, where);
        else {
          const expected = c['number'] ?? c['bool'] ?? c['string'] ?? c['array'] ?? c['map'];
          assert.deepEqual(value, expected, where);
        }
      }
    }
  }
  assert.ok(plain > 100 && refused > 20, `plain ${plain} refused ${refused}`);
});

test('our encoder round-trips plain values through the untrusted decoder', () => {
  const value = {
    a: 1,
    b: 'x',
    c: new Uint8Array([1, 2]),
    d: [1, -2, { e: null, f: true }],
    g: 2 ** 40,
    h: 1.5,
  };
  assert.deepEqual(decodePlain(encodePlain(value)), value);
});

test('the encoder refuses values that would need an extension or silently change', () => {
  for (const v of [
    new Date(0),
    new Set([1]),
    /x/,
    new Error('e'),
    10n ** 30n,
    new Map([[1, 2]]),
    undefined,
    { a: undefined },
  ]) {
    assert.throws(
      () => encodePlain(v),
      (e: unknown) => isVcError(e),
      String(v),
    );
  }
});

test('msgpackr extension encodings are refused: records, RegExp, Error, Set, BigInt, typed arrays, timestamps', () => {
  const rich = new Packr({
    useRecords: true,
    moreTypes: true,
    structuredClone: true,
    largeBigIntToString: false,
  });
  const values: unknown[] = [
    { record: 1, again: 2 },
    /re/g,
    new Error('boom'),
    new Set([1, 2]),
    2n ** 70n,
    new Float64Array([1.5]),
    new Date(1514862245000),
  ];
  for (const value of values) {
    const bytes = rich.pack(value);
    refusedWith('ERR_ENVELOPE_EXTENSION_TYPE', () => decodePlain(bytes));
  }
  // an extension nested deep inside an otherwise plain value
  const nested = new Packr({ useRecords: false }).pack({ a: [1, { b: new Date(0) }] });
  refusedWith('ERR_ENVELOPE_EXTENSION_TYPE', () => decodePlain(nested));
});

test('nesting 10,000 deep is refused without exhausting the stack', () => {
  const deepArrays = new Uint8Array(10_000).fill(0x91);
  const bytes = new Uint8Array([...deepArrays, 0x01]);
  refusedWith('ERR_ENVELOPE_TOO_DEEP', () => decodePlain(bytes));
  const deepMaps = Buffer.concat([
    Buffer.from('81a161'.repeat(10_000), 'hex'),
    Buffer.from([0xc0]),
  ]);
  refusedWith('ERR_ENVELOPE_TOO_DEEP', () => decodePlain(deepMaps));
  // exactly at the limit is accepted
  const atLimit = new Uint8Array([...new Uint8Array(defaultLimits.maxDepth).fill(0x91), 0x01]);
  assert.doesNotThrow(() => decodePlain(atLimit));
});

test('declared sizes of 100 MiB are refused before allocation', () => {
  const size = 100 * 1024 * 1024;
  const header = (token: number): Uint8Array => {
    const b = new Uint8Array(5 + 3);
    b[0] = token;
    new DataView(b.buffer).setUint32(1, size);
    return b;
  };
  for (const token of [0xc6, 0xdb, 0xdd, 0xdf]) {
    refusedWith('ERR_ENVELOPE_TOO_LARGE', () => decodePlain(header(token)));
  }
  refusedWith('ERR_ENVELOPE_TOO_LARGE', () =>
    decodePlain(new Uint8Array(100), { maxBytes: 64, maxDepth: 4 }),
  );
});

test('truncation, trailing bytes, non-string keys and 0xc1 are refused with typed errors', () => {
  const good = encodePlain({ a: 'hello', b: [1, 2, 3] });
  for (let cut = 0; cut < good.length; cut++) {
    assert.throws(
      () => decodePlain(good.subarray(0, cut)),
      (e: unknown) => isVcError(e) && e.code === 'ERR_ENVELOPE_TRUNCATED',
    );
  }
  refusedWith('ERR_ENVELOPE_MALFORMED', () => decodePlain(new Uint8Array([...good, 0x00])));
  refusedWith('ERR_ENVELOPE_MALFORMED', () => decodePlain(hex('81-01-02')));
  refusedWith('ERR_ENVELOPE_MALFORMED', () => decodePlain(hex('c1')));
});

test('__proto__ keys do not pollute prototypes', () => {
  const bytes = hex('81-a9-5f5f70726f746f5f5f-81-a1-78-01');
  const value = decodePlain(bytes) as Record<string, unknown>;
  assert.equal(({} as Record<string, unknown>)['x'], undefined);
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
});
