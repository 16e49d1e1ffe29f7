// Linear regression with three parties (Veracruz's linear-regression test): one provides the
// program, one the private data points, one runs the program and reads the fitted line.
import { exampleNamed, readF64s } from '../../sdk/index.js';
import type { Scenario } from '../scenario.js';
import { exampleProgram, programPath, sourceMap, verdictFor } from './support.js';

const PROGRAM = 'linear-regression';
const POINTS = 200;

export const linearRegression: Scenario = {
  name: 'linear-regression',
  title: 'Linear regression (three parties)',
  summary:
    'A data owner provisions private (x, y) points, a program provider the regression program, ' +
    'and an analyst runs it and reads only the fitted line: gradient and intercept.',
  plan(seed) {
    const example = exampleNamed(PROGRAM);
    const run = example.generate(seed, POINTS);
    const input = example.inputs[0]!;
    const output = example.outputs[0]!;
    const expected = example.reference(run).get(output)!;
    const program = exampleProgram(PROGRAM, ['/input/:r', '/output/:w']);
    return {
      parties: [
        { name: 'program-provider', role: 'provides the program', capabilities: ['/program/:w'] },
        {
          name: 'data-owner',
          role: `provides ${POINTS} private points`,
          capabilities: ['/input/:w'],
        },
        {
          name: 'analyst',
          role: 'runs the regression and reads the line',
          capabilities: ['/program/:x', '/output/:r'],
        },
      ],
      programs: [program],
      rounds: [
        [
          {
            party: 'program-provider',
            steps: [{ op: 'program', path: program.path, source: 'wasm' }],
          },
          {
            party: 'data-owner',
            steps: [{ op: 'data', path: input, source: 'points', mode: 'write' }],
          },
        ],
        [
          {
            party: 'analyst',
            steps: [
              { op: 'compute', program: programPath(PROGRAM) },
              { op: 'result', path: output, destination: 'line' },
              { op: 'shutdown' },
            ],
          },
        ],
      ],
      sources: sourceMap({
        'program-provider': { wasm: program.wasm },
        'data-owner': { points: run.files.get(input)! },
      }),
      decode: (_party, _label, bytes) => {
        const [gradient, intercept] = readF64s(bytes);
        return { gradient, intercept };
      },
      check: (results) =>
        verdictFor(results, [{ party: 'analyst', label: 'line' }], expected, (bytes) => {
          const [gradient = NaN, intercept = NaN] = readF64s(bytes);
          return `fitted line y = ${gradient.toFixed(4)} x + ${intercept.toFixed(4)} over ${POINTS} private points`;
        }),
    };
  },
};
