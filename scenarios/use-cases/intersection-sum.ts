// Veracruz's intersection-sum: an advertiser knows who viewed an advertisement, a retailer knows
// what its customers spent. Together they learn how many viewers bought and how much they spent,
// without either revealing its list. The advertiser provisions first here, the retailer's program
// and data after it (Veracruz's "data provided in reversed order").
import { PostcardReader } from '../../protocol/index.js';
import { exampleNamed } from '../../sdk/index.js';
import type { Scenario } from '../scenario.js';
import { exampleProgram, programPath, sourceMap, verdictFor } from './support.js';

const PROGRAM = 'intersection-set-sum';
const CUSTOMERS = 100;

export const intersectionSum: Scenario = {
  name: 'intersection-sum',
  title: 'Intersection sum (advertiser and retailer)',
  summary:
    'An advertiser provisions the ids of people who saw an advertisement, a retailer its customers ' +
    'and their spend. Both learn only how many viewers bought and their total spend.',
  plan(seed) {
    const example = exampleNamed(PROGRAM);
    const run = example.generate(seed, CUSTOMERS);
    const [viewers, customers] = example.inputs as [string, string];
    const output = example.outputs[0]!;
    const expected = example.reference(run).get(output)!;
    const program = exampleProgram(PROGRAM, ['/input/:r', '/output/:w']);
    return {
      parties: [
        {
          name: 'advertiser',
          role: 'provides the advertisement viewers and reads the sum',
          capabilities: [`${viewers}:w`, '/output/:r'],
        },
        {
          name: 'retailer',
          role: 'provides the program and its customers, runs it, reads the sum',
          capabilities: ['/program/:wx', `${customers}:w`, '/output/:r'],
        },
      ],
      programs: [program],
      rounds: [
        [
          {
            party: 'advertiser',
            steps: [{ op: 'data', path: viewers, source: 'viewers', mode: 'write' }],
          },
        ],
        [
          {
            party: 'retailer',
            steps: [
              { op: 'data', path: customers, source: 'customers', mode: 'write' },
              { op: 'program', path: program.path, source: 'wasm' },
              { op: 'compute', program: programPath(PROGRAM) },
              { op: 'result', path: output, destination: 'sum' },
            ],
          },
        ],
        [
          {
            party: 'advertiser',
            steps: [{ op: 'result', path: output, destination: 'sum' }, { op: 'shutdown' }],
          },
        ],
      ],
      sources: sourceMap({
        advertiser: { viewers: run.files.get(viewers)! },
        retailer: { wasm: program.wasm, customers: run.files.get(customers)! },
      }),
      // Veracruz's postcard f64: the total spend of the viewers who bought.
      decode: (_party, _label, bytes) => ({ total: new PostcardReader(bytes).f64() }),
      check: (results) =>
        verdictFor(
          results,
          ['advertiser', 'retailer'].map((party) => ({ party, label: 'sum' })),
          expected,
          (bytes) => {
            // postcard f64: the total spend of the viewers who bought.
            const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
            const total = view.getFloat64(0, true);
            return `the advertisement viewers who bought spent ${total.toFixed(2)} in total`;
          },
        ),
    };
  },
};
