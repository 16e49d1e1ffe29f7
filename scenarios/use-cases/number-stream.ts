// Number-stream accumulation over ten rounds (Veracruz's stream test): two data sources each
// append one value per round, and the analyst runs the stateful program after each round, reading
// the running total. Every round's total is checked against the reference.
import { exampleNamed, f64Bytes, readF64s, type ExampleRun } from '../../sdk/index.js';
import type { Scenario, Turn, Verdict } from '../scenario.js';
import { PostcardReader } from '../../protocol/index.js';
import { exampleProgram, programPath, sameBytes, show, sourceMap } from './support.js';

const PROGRAM = 'number-stream-accumulation';
const ROUNDS = 10;

export const numberStream: Scenario = {
  name: 'number-stream',
  title: 'Number stream (ten rounds of appends)',
  summary:
    'Two sources append one private number each per round; after every round the analyst runs ' +
    'the stateful accumulation program and reads only the running total.',
  plan(seed) {
    const example = exampleNamed(PROGRAM);
    const run = example.generate(seed, ROUNDS);
    const [init, stream1, stream2] = example.inputs as [string, string, string];
    const output = example.outputs[0]!;
    const values1 = readF64s(run.files.get(stream1)!);
    const values2 = readF64s(run.files.get(stream2)!);
    const expectedAfter = (round: number): Uint8Array => {
      const partial: ExampleRun = { files: run.files, rounds: round };
      return example.reference(partial).get(output)!;
    };
    const program = exampleProgram(PROGRAM, ['/input/:r', '/output/:rw']);
    const rounds: Turn[][] = [
      [
        {
          party: 'analyst',
          steps: [
            { op: 'program', path: program.path, source: 'wasm' },
            { op: 'data', path: init, source: 'init', mode: 'write' },
          ],
        },
      ],
    ];
    for (let r = 0; r < ROUNDS; r++) {
      rounds.push([
        {
          party: 'source-1',
          steps: [{ op: 'data', path: stream1, source: `value-${r}`, mode: 'append' }],
        },
        {
          party: 'source-2',
          steps: [{ op: 'data', path: stream2, source: `value-${r}`, mode: 'append' }],
        },
      ]);
      rounds.push([
        {
          party: 'analyst',
          steps: [
            { op: 'compute', program: programPath(PROGRAM) },
            { op: 'result', path: output, destination: `total-${r + 1}` },
            ...(r === ROUNDS - 1 ? [{ op: 'shutdown' as const }] : []),
          ],
        },
      ]);
    }
    const valueSources = (values: number[]) =>
      Object.fromEntries(values.slice(0, ROUNDS).map((v, r) => [`value-${r}`, f64Bytes([v])]));
    return {
      parties: [
        {
          name: 'analyst',
          role: 'provides the program and the start value, runs each round, reads the total',
          capabilities: ['/program/:wx', `${init}:w`, '/output/:r'],
        },
        { name: 'source-1', role: 'appends one value per round', capabilities: [`${stream1}:w`] },
        { name: 'source-2', role: 'appends one value per round', capabilities: [`${stream2}:w`] },
      ],
      programs: [program],
      rounds,
      sources: sourceMap({
        analyst: { wasm: program.wasm, init: run.files.get(init)! },
        'source-1': valueSources(values1),
        'source-2': valueSources(values2),
      }),
      // Veracruz's postcard state (u64 rounds, f64 total).
      decode: (_party, _label, bytes) => {
        const state = new PostcardReader(bytes);
        return { rounds: Number(state.varint(64)), total: state.f64() };
      },
      check: (results): Verdict => {
        const details: string[] = [];
        for (let r = 1; r <= ROUNDS; r++) {
          const actual = results.get('analyst')?.get(`total-${r}`);
          const expected = expectedAfter(r);
          if (!actual || !sameBytes(actual, expected))
            details.push(
              `round ${r}: read ${actual ? show(actual) : 'nothing'}, expected ${show(expected)}`,
            );
        }
        if (details.length > 0) return { ok: false, headline: 'a running total differs', details };
        const final = expectedAfter(ROUNDS);
        // postcard (u64, f64): the round count's varint, then the total's 8 bytes.
        const total = new DataView(final.buffer, final.byteOffset).getFloat64(
          final.byteLength - 8,
          true,
        );
        return {
          ok: true,
          headline: `after ${ROUNDS} rounds the running total is ${total.toFixed(3)}`,
          details: [`all ${ROUNDS} intermediate totals match the reference`],
        };
      },
    };
  },
};
