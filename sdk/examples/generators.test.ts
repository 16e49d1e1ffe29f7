// The generators are deterministic in their seed and the references agree with known answers;
// these tests need no sandbox.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { examples, exampleNamed, nativeExamples } from './catalog.js';
import { type ExampleRun } from './support/types.js';
import { quickstartShares } from './shamir-secret-sharing/generate.js';

const serialise = (run: ExampleRun): string =>
  JSON.stringify({
    files: [...run.files].map(([path, data]) => [path, Buffer.from(data).toString('hex')]),
    env: run.env ?? {},
    args: run.args ?? [],
    rounds: run.rounds ?? 1,
  });

for (const example of [...examples, ...nativeExamples]) {
  test(`${example.name}: the generator is deterministic in its seed`, () => {
    assert.equal(serialise(example.generate(5, 40)), serialise(example.generate(5, 40)));
    // Programs drawing on the host's random source may take no seeded input at all.
    if (!example.random && example.generate(5, 40).files.size > 0)
      assert.notEqual(serialise(example.generate(5, 40)), serialise(example.generate(6, 40)));
  });

  test(`${example.name}: inputs are under /input (or /output) and references write under /output`, () => {
    for (const size of [0, 1, 40]) {
      const run = example.generate(9, size);
      for (const path of run.files.keys()) assert.match(path, /^\/(input|output)\//);
      // Inputs too small for the example are refused by its reference as by the program.
      if (example.smallRefused && size < example.smallRefused.below) {
        assert.throws(() => example.reference(run));
        continue;
      }
      for (const path of example.reference(run).keys()) assert.match(path, /^\/output\//);
    }
  });
}

test("shamir reference rebuilds Veracruz's quickstart secret", () => {
  const run: ExampleRun = {
    files: new Map(
      quickstartShares.map((hex, i) => [`/input/shamir-${i}.dat`, Buffer.from(hex, 'hex')]),
    ),
  };
  const secret = exampleNamed('shamir-secret-sharing').reference(run).get('/output/shamir.dat');
  assert.equal(Buffer.from(secret ?? []).toString(), 'Hello World!\n');
});
