// The ports read and write Veracruz's bytes (issue 20, item 1; docs/guest-programs.md, "Data
// formats"): each is fed the bytes Veracruz's data generator writes and must give the bytes
// Veracruz's example writes; input of another shape ends with a message and a non-zero exit, never
// with a silent answer.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { requireResource } from '../../test-support/requirements.js';
import { exampleNamed } from './catalog.js';
import {
  concatBytes,
  postcardF64s,
  postcardF64TupleVec,
  postcardLength,
  postcardString,
  postcardVarint,
} from '../../protocol/index.js';
import { encodeDataset, type LabelledPoint } from './logistic-regression/generate.js';
import { outputMismatch } from './support/compare.js';
import { ParseIntError } from './support/rust-text.js';
import { CHANNELS, decodePng, encodePng, pngChunk, type PngImage } from './support/png.js';
import { f64Bytes, files, readF64s, utf8, type ExampleRun } from './support/types.js';
import { hasVcRun, runCommandPath, vcRun } from '../testing/vc-run.js';

function needVcRun(t: TestContext): boolean {
  return requireResource(t, `vc run (${runCommandPath})`, hasVcRun());
}

const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('hex');
const v = (n: number | bigint): Uint8Array => postcardVarint(BigInt(n));

async function refused(name: string, run: ExampleRun, message: RegExp): Promise<void> {
  const example = exampleNamed(name);
  const result = await vcRun(example.wasmPath, run);
  assert.notEqual(result.exitCode, 0, `${name} accepted ${[...run.files.keys()].join(', ')}`);
  assert.match(result.stderr, message);
  assert.deepEqual(written(run, result.outputs), [], 'nothing written');
}

/** The output paths a run wrote: those it was not given (a pipeline stage's input sits in
 *  /output/), and those it was given but changed. */
function written(run: ExampleRun, outputs: ReadonlyMap<string, Uint8Array>): string[] {
  return [...outputs.keys()].filter(
    (path) => !run.files.has(path) || hex(outputs.get(path)) !== hex(run.files.get(path)),
  );
}

describe('linear-regression: postcard Vec<(f64, f64)> in, postcard { gradient, intercept } out', () => {
  const line = [0, 1, 1, 3, 2, 5, 3, 7, -4, -7]; // points on y = 2x + 1
  const input = (bytes: Uint8Array): ExampleRun => ({
    files: files([['/input/linear-regression.dat', bytes]]),
  });

  test('points on y = 2x + 1 give exactly gradient 2, intercept 1', async (t) => {
    if (!needVcRun(t)) return;
    const example = exampleNamed('linear-regression');
    const bytes = postcardF64TupleVec(line, 2);
    // Veracruz's generator: the point count as a varint, then x, y as little-endian f64.
    assert.equal(hex(bytes.subarray(0, 17)), '050000000000000000000000000000f03f');
    const result = await vcRun(example.wasmPath, input(bytes));
    assert.equal(result.exitCode, 0, result.stderr);
    const out = result.outputs.get('/output/linear-regression.dat');
    assert.equal(hex(out), '0000000000000040000000000000f03f');
    assert.deepEqual(readF64s(out!), [2, 1]);
    assert.equal(
      hex(example.reference(input(bytes)).get('/output/linear-regression.dat')),
      hex(out),
    );
  });

  test('a length of 128 points or more takes a two-byte varint', async (t) => {
    if (!needVcRun(t)) return;
    const example = exampleNamed('linear-regression');
    const values = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? i : 2 * i + 1));
    const bytes = postcardF64TupleVec(values, 2);
    assert.equal(hex(bytes.subarray(0, 2)), '9601');
    const result = await vcRun(example.wasmPath, input(bytes));
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(
      hex(result.outputs.get('/output/linear-regression.dat')),
      hex(example.reference(input(bytes)).get('/output/linear-regression.dat')),
    );
  });

  const postcard = postcardF64TupleVec(line, 2);
  const shapes: [string, Uint8Array][] = [
    ['packed f64 pairs without the length (the old format)', f64Bytes(line)],
    ['an empty file', new Uint8Array(0)],
    ['a truncated body', postcard.subarray(0, postcard.length - 1)],
    ['a byte left over', new Uint8Array([...postcard, 0])],
    ['a varint longer than 5 bytes', new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x00])],
    ['a varint cut short', new Uint8Array([0x85])],
  ];
  for (const [what, bytes] of shapes) {
    test(`refused with a message: ${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await refused('linear-regression', input(bytes), /not a postcard Vec<\(f64, f64\)>/);
    });
  }
});

describe('string-edit-distance: strsim Jaro-Winkler, postcard f64 out', () => {
  const texts = (a: Uint8Array, b: Uint8Array): ExampleRun => ({
    files: files([
      ['/input/hello-world-1.dat', a],
      ['/input/hello-world-2.dat', b],
    ]),
  });

  test("Veracruz's datasets (its string-generator's postcard Strings, read as text)", async (t) => {
    if (!needVcRun(t)) return;
    const example = exampleNamed('string-edit-distance');
    const run = texts(postcardString('Hello world!\n'), postcardString('Hello world.\n'));
    const result = await vcRun(example.wasmPath, run);
    assert.equal(result.exitCode, 0, result.stderr);
    const out = result.outputs.get('/output/string-edit-distance.dat');
    assert.equal(out?.length, 8);
    assert.equal(hex(out), hex(example.reference(run).get('/output/string-edit-distance.dat')));
    // 14 characters each ("\r" = the length 13, then the text), 13 matching in place, prefix 13.
    const jaro = (1 / 3) * (13 / 14 + 13 / 14 + 13 / 13);
    assert.equal(
      readF64s(out!)[0],
      jaro + 0.1 * 13 * (1 - jaro) > 1 ? 1 : jaro + 0.1 * 13 * (1 - jaro),
    );
  });

  // strsim 0.10.0's own examples (its tests, to 0.001) and exact cases.
  const cases: [string, string, number, number][] = [
    ['', '', 1, 0],
    ['', 'jaro-winkler', 0, 0],
    ['a', 'b', 0, 0],
    ['dwayne', 'duane', 0.84, 0.001],
    ['martha', 'marhta', 0.961, 0.001],
    ['dixon', 'dicksonx', 0.813, 0.001],
    ['cheeseburger', 'cheese fries', 0.911, 0.001],
    ['testabctest', 'testöঙ香test', 0.89, 0.001],
    ['Dinsdale', 'D', 0.738, 0.001],
  ];
  for (const [a, b, expected, tolerance] of cases) {
    test(`jaro_winkler(${JSON.stringify(a)}, ${JSON.stringify(b)}) = ${expected}`, async (t) => {
      if (!needVcRun(t)) return;
      const example = exampleNamed('string-edit-distance');
      const run = texts(utf8(a), utf8(b));
      const result = await vcRun(example.wasmPath, run);
      assert.equal(result.exitCode, 0, result.stderr);
      const out = result.outputs.get('/output/string-edit-distance.dat')!;
      assert.ok(Math.abs(readF64s(out)[0]! - expected) <= tolerance, String(readF64s(out)[0]));
      assert.equal(hex(out), hex(example.reference(run).get('/output/string-edit-distance.dat')));
      assert.equal(hex(out), hex(postcardF64s(readF64s(out))));
    });
  }

  test('refused with a message: a text that is not UTF-8', async (t) => {
    if (!needVcRun(t)) return;
    await refused(
      'string-edit-distance',
      texts(utf8('fine'), new Uint8Array([0x66, 0xff])),
      /hello-world-2\.dat is not UTF-8/,
    );
  });

  test('refused with a message, as by Veracruz: a postcard String of 128 bytes or more', async (t) => {
    if (!needVcRun(t)) return;
    const long = postcardString('x'.repeat(200)); // its length varint 0xc8 0x01 is not UTF-8
    await refused(
      'string-edit-distance',
      texts(long, utf8('x')),
      /hello-world-1\.dat is not UTF-8/,
    );
  });
});

describe('number-stream-accumulation: postcard f64 streams, postcard (u64, f64) state', () => {
  const streams = (extra: [string, Uint8Array][] = [], rounds = 2): ExampleRun => ({
    files: files([
      ['/input/number-stream-init.dat', postcardF64s([10])],
      ['/input/number-stream-1.dat', postcardF64s([1, 2])],
      ['/input/number-stream-2.dat', postcardF64s([3, 4])],
      ...extra,
    ]),
    rounds,
  });

  test('two rounds: the state is the count as a varint, then the total', async (t) => {
    if (!needVcRun(t)) return;
    const example = exampleNamed('number-stream-accumulation');
    const one = await vcRun(example.wasmPath, streams([], 1));
    assert.equal(one.exitCode, 0, one.stderr);
    assert.equal(hex(one.outputs.get('/output/accumulation.dat')), `01${hex(postcardF64s([14]))}`);
    const two = await vcRun(example.wasmPath, streams());
    assert.equal(two.exitCode, 0, two.stderr);
    assert.equal(hex(two.outputs.get('/output/accumulation.dat')), `02${hex(postcardF64s([20]))}`);
  });

  test('a state of 127 rounds goes on to the two-byte varint of 128', async (t) => {
    if (!needVcRun(t)) return;
    const example = exampleNamed('number-stream-accumulation');
    const values = Array.from({ length: 130 }, (_, i) => i);
    const run: ExampleRun = {
      files: files([
        ['/input/number-stream-init.dat', postcardF64s([0])],
        ['/input/number-stream-1.dat', postcardF64s(values)],
        ['/input/number-stream-2.dat', postcardF64s(values)],
        ['/output/accumulation.dat', new Uint8Array([0x7f, ...postcardF64s([0.5])])],
      ]),
    };
    const result = await vcRun(example.wasmPath, run);
    assert.equal(result.exitCode, 0, result.stderr);
    // round 127 adds value 127 of each stream
    assert.equal(
      hex(result.outputs.get('/output/accumulation.dat')),
      `8001${hex(postcardF64s([0.5 + 127 + 127]))}`,
    );
  });

  const shapes: [string, [string, Uint8Array][], RegExp][] = [
    [
      'a state in the old format (u64 as 8 bytes)',
      [
        [
          '/output/accumulation.dat',
          new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, ...postcardF64s([1])]),
        ],
      ],
      /accumulation\.dat: not a postcard \(u64, f64\)/,
    ],
    [
      'a start value shorter than an f64',
      [['/input/number-stream-init.dat', new Uint8Array([1, 2, 3])]],
      /number-stream-init\.dat: not a postcard f64/,
    ],
    [
      'a stream without the round’s value',
      [['/input/number-stream-2.dat', postcardF64s([3])]],
      /number-stream-2\.dat: no value 1/,
    ],
  ];
  for (const [what, extra, message] of shapes) {
    test(`refused with a message: ${what}`, async (t) => {
      if (!needVcRun(t)) return;
      const example = exampleNamed('number-stream-accumulation');
      const result = await vcRun(example.wasmPath, streams(extra));
      assert.notEqual(result.exitCode, 0);
      assert.match(result.stderr, message);
    });
  }
});

describe('moving-average-convergence-divergence: postcard Vec<f64> in and out', () => {
  const prices = (n: number): number[] =>
    Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin(i / 5));
  const series = (bytes: Uint8Array): ExampleRun => ({
    files: files([['/input/macd/apple.dat', bytes]]),
  });

  for (const [count, decisions] of [
    [34, 0],
    [35, 0],
    [36, 1],
    [200, 165],
  ] as const) {
    test(`${count} prices give ${decisions} decisions, as Veracruz's computes them`, async (t) => {
      if (!needVcRun(t)) return;
      const example = exampleNamed('moving-average-convergence-divergence');
      const run = series(postcardF64TupleVec(prices(count), 1));
      const result = await vcRun(example.wasmPath, run);
      assert.equal(result.exitCode, 0, result.stderr);
      const out = result.outputs.get('/output/macd/apple.dat');
      const length = postcardLength(decisions); // 165 takes two bytes: a5 01
      assert.equal(hex(out?.subarray(0, length.length)), hex(length));
      assert.equal(out?.length, length.length + 8 * decisions);
      assert.equal(hex(out), hex(example.reference(run).get('/output/macd/apple.dat')));
    });
  }

  const good = postcardF64TupleVec(prices(40), 1);
  const shapes: [string, Uint8Array, RegExp][] = [
    [
      'packed f64s without the length (the old format)',
      f64Bytes(prices(40)),
      /not a postcard Vec<f64>/,
    ],
    ['a byte left over', new Uint8Array([...good, 0]), /not a postcard Vec<f64>/],
    ['a truncated series', good.subarray(0, good.length - 3), /not a postcard Vec<f64>/],
    [
      '33 prices (Veracruz’s example panics)',
      postcardF64TupleVec(prices(33), 1),
      /33 prices; MACD needs at least 34/,
    ],
  ];
  for (const [what, bytes, message] of shapes) {
    test(`refused with a message: ${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await refused('moving-average-convergence-divergence', series(bytes), message);
    });
  }
});

describe("logistic-regression: postcard Datasets in, postcard Vec<f64> out (rusty-machine's defaults)", () => {
  const input = (first: Uint8Array, second: Uint8Array): ExampleRun => ({
    files: files([
      ['/input/logistic-regression-0.dat', first],
      ['/input/logistic-regression-1.dat', second],
    ]),
  });
  const p = (point: number[], classification: boolean): LabelledPoint => ({
    point,
    classification,
  });
  const empty = encodeDataset([]);

  test('the Dataset bytes by hand', () => {
    assert.equal(
      hex(encodeDataset([p([1.5], true), p([], false)])),
      `0201${hex(postcardF64s([1.5]))}010000`,
    );
  });

  test('two points at x = 0, one of each class: the slope stays 0.5, the intercept falls to 0', async (t) => {
    if (!needVcRun(t)) return;
    const example = exampleNamed('logistic-regression');
    // The first party's point only fixes the dimension (Veracruz's pooling, below).
    const run = input(encodeDataset([p([7], true)]), encodeDataset([p([0], false), p([0], true)]));
    const result = await vcRun(example.wasmPath, run);
    assert.equal(result.exitCode, 0, result.stderr);
    const out = result.outputs.get('/output/logistic-regression.dat')!;
    assert.equal(hex(out.subarray(0, 1)), '02'); // two parameters, intercept first
    const [intercept, slope] = readF64s(out.subarray(1));
    assert.equal(slope, 0.5); // its gradient is 0 * (o - t) summed: exactly 0 every step
    assert.ok(Math.abs(intercept!) < 0.5 && Math.abs(intercept!) > 0, String(intercept));
    assert.equal(
      outputMismatch(result.outputs, example.reference(run), example.comparison),
      undefined,
    );
  });

  test("Veracruz's pooling: the first non-empty dataset is left out of the training", async (t) => {
    if (!needVcRun(t)) return;
    const example = exampleNamed('logistic-regression');
    const second = encodeDataset([p([1, 2], true), p([-1, 0.5], false), p([0.25, -3], true)]);
    const one = await vcRun(example.wasmPath, input(encodeDataset([p([0, 0], true)]), second));
    const other = await vcRun(example.wasmPath, input(encodeDataset([p([9, 9], false)]), second));
    assert.equal(one.exitCode, 0, one.stderr);
    assert.equal(other.exitCode, 0, other.stderr);
    const out = other.outputs.get('/output/logistic-regression.dat')!;
    assert.equal(hex(out), hex(one.outputs.get('/output/logistic-regression.dat')));
    assert.equal(out[0], 3);
    // One non-empty party: nothing to train on, one parameter 0/0 = NaN, as Veracruz's.
    for (const run of [input(second, empty), input(empty, second)]) {
      const none = await vcRun(example.wasmPath, run);
      assert.equal(none.exitCode, 0, none.stderr);
      assert.equal(hex(none.outputs.get('/output/logistic-regression.dat')), '01000000000000f87f');
    }
  });

  const good = encodeDataset([p([1, 2], true), p([3, 4], false)]);
  const shapes: [string, Uint8Array, Uint8Array, RegExp][] = [
    [
      'packed f64 records (the old format)',
      f64Bytes([1, 2, 1, 3, 4, 0]),
      good,
      /-0\.dat: .*postcard Dataset/,
    ],
    [
      'a classification that is not a bool',
      empty,
      concatBytes(v(1), v(1), postcardF64s([1]), new Uint8Array([2])),
      /not a bool/,
    ],
    [
      'a dataset cut short',
      empty,
      good.subarray(0, good.length - 1),
      /-1\.dat: not a postcard Dataset \(cut short\)/,
    ],
    ['a byte left over', empty, concatBytes(good, v(0)), /1 bytes after the postcard Dataset/],
    [
      'points of different dimensions',
      empty,
      encodeDataset([p([1, 2], true), p([3], false)]),
      /point 1 has 1 coordinates, point 0 has 2/,
    ],
    [
      'parties of different dimensions',
      good,
      encodeDataset([p([1], true)]),
      /-1\.dat: points of 1 coordinates/,
    ],
  ];
  for (const [what, first, second, message] of shapes) {
    test(`refused with a message: ${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await refused('logistic-regression', input(first, second), message);
      assert.throws(() => exampleNamed('logistic-regression').reference(input(first, second)));
    });
  }
});

describe('private-set-intersection-sum: postcard vectors of varints in, postcard (usize, u64) out', () => {
  const batch = (data: Uint8Array, sample: Uint8Array): ExampleRun => ({
    files: files([
      ['/input/private-set-inter-sum/b/data.dat', data],
      ['/input/private-set-inter-sum/b/sample.dat', sample],
    ]),
  });
  // Three customers, values 5, 300 and 2^32 - 1; the sample holds the last two and a stranger.
  const big = 2n ** 64n - 1n;
  const data = concatBytes(v(3), v(0), v(1), v(5), v(7), v(big), v(300), v(1), v(2), v(0xffffffff));
  const sample = concatBytes(v(3), v(1), v(2), v(7), v(big), v(9), v(9));

  test("Veracruz's bytes: count 2, sum 300 + 4294967295, each a varint", async (t) => {
    if (!needVcRun(t)) return;
    const example = exampleNamed('private-set-intersection-sum');
    const run = batch(data, sample);
    const result = await vcRun(example.wasmPath, run);
    assert.equal(result.exitCode, 0, result.stderr);
    const out = result.outputs.get('/output/private-set-inter-sum/b');
    assert.equal(hex(out), hex(concatBytes(v(2), v(300 + 0xffffffff))));
    assert.equal(hex(out), hex(example.reference(run).get('/output/private-set-inter-sum/b')));
  });

  const shapes: [string, Uint8Array, Uint8Array, RegExp][] = [
    [
      'fixed-width records (the old format)',
      new Uint8Array(20),
      new Uint8Array(16),
      /not a postcard Vec<\(u64, u64\)>/,
    ],
    ['a byte left over in the data', concatBytes(data, v(0)), sample, /data\.dat: not a postcard/],
    ['a value above u32', concatBytes(v(1), v(0), v(1), v(2n ** 32n)), sample, /data\.dat/],
    [
      'a u64 varint of 11 bytes',
      data,
      concatBytes(v(1), new Uint8Array(10).fill(0x80), v(0), v(0)),
      /sample\.dat/,
    ],
    ['a record cut short', data.subarray(0, data.length - 1), sample, /data\.dat/],
  ];
  for (const [what, d, s, message] of shapes) {
    test(`refused with a message: ${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await refused('private-set-intersection-sum', batch(d, s), message);
    });
  }
});

describe('intersection-set-sum: postcard Vec<String> and Vec<(String, f64)> in, postcard f64 out', () => {
  const run = (viewers: Uint8Array, customers: Uint8Array): ExampleRun => ({
    files: files([
      ['/input/intersection-advertisement-viewer.dat', viewers],
      ['/input/intersection-customer.dat', customers],
    ]),
  });
  const viewers = concatBytes(v(4), ...['1', '2', '2', '9'].map(postcardString));
  const customers = concatBytes(
    v(3),
    postcardString('2'),
    postcardF64s([10.5]),
    postcardString('1'),
    postcardF64s([0.25]),
    postcardString('2'),
    postcardF64s([1]),
  );

  test("Veracruz's nested loop: each viewer, each matching customer, in order", async (t) => {
    if (!needVcRun(t)) return;
    const example = exampleNamed('intersection-set-sum');
    const result = await vcRun(example.wasmPath, run(viewers, customers));
    assert.equal(result.exitCode, 0, result.stderr);
    const out = result.outputs.get('/output/intersection-set-sum.dat');
    assert.equal(hex(out), hex(postcardF64s([0 + 0.25 + 10.5 + 1 + 10.5 + 1])));
    assert.equal(
      hex(out),
      hex(example.reference(run(viewers, customers)).get('/output/intersection-set-sum.dat')),
    );
  });

  const shapes: [string, Uint8Array, Uint8Array, RegExp][] = [
    [
      'CSV lines (the old format)',
      utf8('1\n2\n'),
      utf8('2,1050\n'),
      /not a postcard Vec<\(String, f64\)>/,
    ],
    [
      'an id that is not UTF-8',
      viewers,
      concatBytes(v(1), v(1), new Uint8Array([0xff]), postcardF64s([1])),
      /customer\.dat: not a postcard/,
    ],
    [
      'a spend cut short',
      viewers,
      customers.subarray(0, customers.length - 1),
      /customer\.dat: not a postcard/,
    ],
    [
      'a byte left over',
      concatBytes(viewers, v(0)),
      customers,
      /viewer\.dat: not a postcard Vec<String>/,
    ],
  ];
  for (const [what, a, b, message] of shapes) {
    test(`refused with a message: ${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await refused('intersection-set-sum', run(a, b), message);
    });
  }
});

describe('image-processing: PNG in, the top-left 100 x 100 as PNG out', () => {
  const image = (width: number, height: number, colour: number): PngImage => {
    const pixels = new Uint8Array(width * height * CHANNELS[colour]!);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + (i >> 5)) & 0xff;
    return { width, height, colour, pixels };
  };
  const input = (png: Uint8Array): ExampleRun => ({
    files: files([['/input/image-processing.png', png]]),
  });

  for (const [width, height, colour, name] of [
    [150, 120, 2, 'RGB, as Veracruz’s generator writes'],
    [60, 130, 6, 'RGBA'],
    [101, 30, 0, 'greyscale'],
    [7, 5, 4, 'greyscale with alpha'],
  ] as const) {
    test(`${name} ${width} x ${height}: the crop's pixels, same colour type`, async (t) => {
      if (!needVcRun(t)) return;
      const example = exampleNamed('image-processing');
      const source = image(width, height, colour);
      const run = input(encodePng(source, { filter: (y) => (y * 3) % 5 }));
      const result = await vcRun(example.wasmPath, run);
      assert.equal(result.exitCode, 0, result.stderr);
      const [w, h] = [Math.min(width, 100), Math.min(height, 100)];
      // Byte for byte: Veracruz prints the line with println!, newline included.
      assert.equal(result.stdout, `new dimensions: (${w}, ${h})\n`);
      const out = result.outputs.get('/output/image-processing.png')!;
      assert.equal(hex(out), hex(example.reference(run).get('/output/image-processing.png')));
      // Decoded independently (Node's zlib): the same colour type and the top-left pixels.
      const cropped = decodePng(out);
      assert.deepEqual([cropped.width, cropped.height, cropped.colour], [w, h, colour]);
      const bpp = CHANNELS[colour]!;
      for (let y = 0; y < h; y++)
        assert.deepEqual(
          cropped.pixels.subarray(y * w * bpp, (y + 1) * w * bpp),
          source.pixels.subarray(y * width * bpp, (y * width + w) * bpp),
          `row ${y}`,
        );
    });
  }

  const good = encodePng(image(20, 10, 2), { filter: () => 4 });
  const withIhdr = (patch: (ihdr: Uint8Array) => void): Uint8Array => {
    const data = good.slice(16, 29);
    patch(data);
    return concatBytes(good.subarray(0, 8), pngChunk('IHDR', data), good.subarray(33));
  };
  const badCrc = good.slice();
  badCrc[45] = badCrc[45]! ^ 1; // inside the IDAT data (its type ends at byte 40)
  const shapes: [string, Uint8Array, RegExp][] = [
    [
      'a PGM (the old format)',
      utf8('P5\n2 2\n255\n\x01\x02\x03\x04'),
      /not a PNG \(bad signature\)/,
    ],
    ['a damaged IDAT (CRC)', badCrc, /bad CRC in chunk IDAT/],
    ['a palette image', withIhdr((d) => (d[9] = 3)), /palette images are not read/],
    ['16-bit channels', withIhdr((d) => (d[8] = 16)), /16-bit channels are not read/],
    ['an interlaced image', withIhdr((d) => (d[12] = 1)), /interlaced images are not read/],
    ['a file cut short', good.subarray(0, good.length - 20), /cut short/],
    [
      'pixel data for a smaller image',
      withIhdr((d) => (d[7] = 11)),
      /pixel data of the wrong size/,
    ],
  ];
  for (const [what, bytes, message] of shapes) {
    test(`refused with a message: ${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await refused('image-processing', input(bytes), message);
    });
  }
});

describe('private-set-intersection: postcard HashSet<Person> in and out', () => {
  const person = (name: string, id: string, age: number, grade: number): Uint8Array =>
    concatBytes(postcardString(name), postcardString(id), new Uint8Array([age, grade]));
  const sets = (a: Uint8Array, b: Uint8Array): ExampleRun => ({
    files: files([
      ['/input/private-set-1.dat', a],
      ['/input/private-set-2.dat', b],
    ]),
  });
  const alice = person('Alice', 'E1', 30, 2);
  const bob = person('Bob', 'E2', 41, 5);
  const bobOlder = person('Bob', 'E2', 42, 5);
  const zoe = person('Zoë', 'E9', 25, 1);

  test('the people in both, by name, employee id, age and grade', async (t) => {
    if (!needVcRun(t)) return;
    const example = exampleNamed('private-set-intersection');
    const run = sets(
      concatBytes(v(4), zoe, bob, alice, bobOlder),
      concatBytes(v(3), alice, zoe, bob),
    );
    const result = await vcRun(example.wasmPath, run);
    assert.equal(result.exitCode, 0, result.stderr);
    const out = result.outputs.get('/output/private-set.dat');
    assert.equal(hex(out), hex(concatBytes(v(3), alice, bob, zoe)));
    assert.equal(hex(out), hex(example.reference(run).get('/output/private-set.dat')));
  });

  const shapes: [string, Uint8Array, RegExp][] = [
    [
      'CSV lines (the old format)',
      utf8('Alice,E1,30,2\n'),
      /private-set-1\.dat: not a postcard HashSet<Person>/,
    ],
    [
      'a name that is not UTF-8',
      concatBytes(v(1), v(1), new Uint8Array([0xc0]), postcardString('E'), new Uint8Array([1, 1])),
      /private-set-1\.dat/,
    ],
    ['a person cut short', concatBytes(v(1), alice).subarray(0, 8), /private-set-1\.dat/],
    ['a byte left over', concatBytes(v(1), alice, v(0)), /private-set-1\.dat/],
  ];
  for (const [what, bytes, message] of shapes) {
    test(`refused with a message: ${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await refused('private-set-intersection', sets(bytes, concatBytes(v(1), alice)), message);
    });
  }
});

// The text examples: Veracruz's programs read their bytes through Rust's from_utf8_lossy, split
// with Rust 1.66's str::lines, trim with str::trim and parse with u32/u64::from_str
// (docs/guest-programs.md, "Rust's text rules"). Each expected output is written out by hand from
// those rules, and checked against the reference too.
const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const FFFD = '\xef\xbf\xbd';

async function textCase(
  name: string,
  run: ExampleRun,
  output: string,
  expected: string,
): Promise<void> {
  const example = exampleNamed(name);
  const result = await vcRun(example.wasmPath, run);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.deepEqual(written(run, result.outputs), [output]);
  assert.equal(hex(result.outputs.get(output)), hex(bytesOf(expected)));
  assert.equal(hex(example.reference(run).get(output)), hex(bytesOf(expected)));
}

describe('file-seek: SKIP as Rust u64, the rest through from_utf8_lossy', () => {
  const seek = (input: string, skip?: string): ExampleRun => ({
    files: files([['/input/README.md', bytesOf(input)]]),
    ...(skip === undefined ? {} : { env: { SKIP: skip } }),
  });
  // [what, input bytes, SKIP, expected NEW_README.md bytes]
  const cases: [string, string, string, string][] = [
    ['plain text from byte 3', 'abcdef\n', '3', 'def\n'],
    ['"+" and leading zeros', 'abcdef', '+004', 'ef'],
    ['SKIP 0 keeps a byte order mark', '\xef\xbb\xbfhi', '0', '\xef\xbb\xbfhi'],
    ['SKIP at the end', 'abc', '3', ''],
    ['SKIP past the end', 'abc', '1000', ''],
    ['inside a character: its continuation byte is U+FFFD', 'x\xc3\xa9y', '2', `${FFFD}y`],
    ['a stray 0xff', 'a\xffb', '0', `a${FFFD}b`],
    ['a cut 3-byte sequence is one U+FFFD', 'a\xe2\x82b', '0', `a${FFFD}b`],
    ['an encoded surrogate is three', '\xed\xa0\x80', '0', FFFD.repeat(3)],
    ['an overlong "/" is two', '\xc0\xaf', '0', FFFD.repeat(2)],
    ['above U+10FFFF is four', '\xf4\x90\x80\x80', '0', FFFD.repeat(4)],
    ['a cut 4-byte sequence at the end is one', 'ok\xf0\x9f\x98', '0', `ok${FFFD}`],
    ['CRLF and a 4-byte character kept', 'a\r\n\xf0\x9f\x98\x80', '0', 'a\r\n\xf0\x9f\x98\x80'],
  ];
  for (const [what, input, skip, expected] of cases) {
    test(`${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await textCase('file-seek', seek(input, skip), '/output/NEW_README.md', expected);
    });
  }

  const wrong: [string, string | undefined, RegExp][] = [
    ['SKIP missing', undefined, /SKIP is not set/],
    ['SKIP empty', '', /SKIP is not a u64/],
    ['SKIP with a space', ' 3', /SKIP is not a u64/],
    ['SKIP negative', '-1', /SKIP is not a u64/],
    ['SKIP hexadecimal', '0x10', /SKIP is not a u64/],
    ['SKIP a lone "+"', '+', /SKIP is not a u64/],
    ['SKIP above 2^64 - 1', '18446744073709551616', /SKIP is not a u64/],
    ['SKIP above 2^63 - 1 (no seekable offset)', '9223372036854775808', /cannot seek/],
  ];
  for (const [what, skip, message] of wrong) {
    test(`refused with a message: ${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await refused('file-seek', seek('abc', skip), message);
      assert.throws(() => exampleNamed('file-seek').reference(seek('abc', skip)));
    });
  }
});

describe('string-search: from_utf8_lossy, Rust 1.66 str::lines, lines containing QUERY', () => {
  const search = (input: string, query?: string): ExampleRun => ({
    files: files([['/input/hello-world-1.dat', bytesOf(input)]]),
    ...(query === undefined ? {} : { env: { QUERY: query } }),
  });
  // [what, input bytes, QUERY, expected search_results.dat bytes]
  const cases: [string, string, string, string][] = [
    ['CRLF lines and an invalid byte', 'a\r\nb\xff\n', 'b', `b${FFFD}\n`],
    ['a last line without "\\n"', 'x1\ny\nx2', 'x', 'x1\nx2\n'],
    ['a bare "\\r" inside a line is kept', 'a\rb\nc\n', 'a', 'a\rb\n'],
    ['a bare "\\r" at the very end is dropped (Rust 1.66)', 'ab\r', 'a', 'ab\n'],
    ['only one "\\r" is dropped', 'ab\r\r\n', 'a', 'ab\r\n'],
    ['an empty line matches the empty query', 'a\n\nb\n', '', 'a\n\nb\n'],
    ['no empty last line after a final "\\n"', 'a\n', '', 'a\n'],
    ['an empty file has no lines', '', '', ''],
    ['no match writes an empty file', 'abc\n', 'z', ''],
    ['U+FFFD finds the replaced bytes', 'ok\n\xc0\xafno\n', '\u{fffd}', `${FFFD}${FFFD}no\n`],
    ['a non-ASCII query', 'cr\xc3\xa8me\ncreme\n', 'è', 'cr\xc3\xa8me\n'],
  ];
  for (const [what, input, query, expected] of cases) {
    test(`${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await textCase('string-search', search(input, query), '/output/search_results.dat', expected);
    });
  }

  test('refused with a message: QUERY missing', async (t) => {
    if (!needVcRun(t)) return;
    await refused('string-search', search('abc\n'), /QUERY is not set/);
    assert.throws(() => exampleNamed('string-search').reference(search('abc\n')));
  });
});

describe('sort-numbers: str::trim, split at commas, Rust u32, sorted, ending in a newline', () => {
  const unsorted = (input: string): ExampleRun => ({
    files: files([['/output/unsorted_numbers.txt', bytesOf(input)]]),
  });
  // [what, input bytes, expected sorted_numbers.txt bytes]
  const cases: [string, string, string][] = [
    ["random-u32-list's line (no newline)", '3,1,2', '1,2,3\n'],
    ['one number', '42', '42\n'],
    ['ASCII whitespace around the line', ' \t3,1\r\n', '1,3\n'],
    ['Unicode White_Space around (U+3000, U+0085)', '\xe3\x80\x803,1\xc2\x85', '1,3\n'],
    ['"+", leading zeros, duplicates', '+7,007,0,4294967295', '0,7,7,4294967295\n'],
    ['numeric order, not text order', '10,9,100', '9,10,100\n'],
  ];
  for (const [what, input, expected] of cases) {
    test(`${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await textCase('sort-numbers', unsorted(input), '/output/sorted_numbers.txt', expected);
    });
  }

  const wrong: [string, string, RegExp][] = [
    ['an empty file', '', /"" is not a u32: ParseIntError \{ kind: Empty \}/],
    ['only whitespace', ' \n', /kind: Empty/],
    ['a space after a comma', '1, 2', /" 2" is not a u32: ParseIntError \{ kind: InvalidDigit \}/],
    ['an empty field', '1,,2', /kind: Empty/],
    ['a trailing comma', '1,2,', /kind: Empty/],
    ['a negative number', '-1', /kind: InvalidDigit/],
    ['a lone "+"', '+', /kind: InvalidDigit/],
    ['2^32', '1,4294967296', /"4294967296" is not a u32: ParseIntError \{ kind: PosOverflow \}/],
    ['a decimal point', '1.5', /kind: InvalidDigit/],
    ['a byte order mark (not White_Space)', '\xef\xbb\xbf1,2', /kind: InvalidDigit/],
    ['an invalid byte', '1,\xff', /kind: InvalidDigit/],
  ];
  for (const [what, input, message] of wrong) {
    test(`refused with a message: ${what}`, async (t) => {
      if (!needVcRun(t)) return;
      await refused('sort-numbers', unsorted(input), message);
      assert.throws(() => exampleNamed('sort-numbers').reference(unsorted(input)), ParseIntError);
    });
  }
});

describe("fd-create: Veracruz's run (no input, no SIZE)", () => {
  test('stdout "PASS\\n", /output/pass "X", nothing else', async (t) => {
    if (!needVcRun(t)) return;
    const result = await vcRun(exampleNamed('fd-create').wasmPath, { files: files([]) });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout, 'PASS\n');
    assert.equal(result.stderr, '');
    assert.deepEqual([...result.outputs.keys()], ['/output/pass']);
    assert.equal(hex(result.outputs.get('/output/pass')), hex(utf8('X')));
  });

  for (const size of ['ten', '-1', '']) {
    test(`refused with a message: SIZE ${JSON.stringify(size)}`, async (t) => {
      if (!needVcRun(t)) return;
      await refused('fd-create', { files: files([]), env: { SIZE: size } }, /SIZE is not a u64/);
    });
  }
});
