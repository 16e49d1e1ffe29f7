// Veracruz's quickstart: a secret ("Hello World!") split into three Shamir shares held by three
// parties. Each holder provisions only its share; the enclave rebuilds the secret and only the
// result reader may read it. No holder ever sees another's share.
import { exampleNamed, fromUtf8, quickstartShares } from '../../sdk/index.js';
import type { Scenario } from '../scenario.js';
import { exampleProgram, programPath, sourceMap, verdictFor } from './support.js';

const PROGRAM = 'shamir-secret-sharing';
const holders = ['holder-1', 'holder-2', 'holder-3'];

export const shamir: Scenario = {
  name: 'shamir',
  title: 'Shamir secret sharing (the Veracruz quickstart)',
  summary:
    'Three holders each own one Shamir share of a secret. A program provider supplies the ' +
    'rebuilding program; the enclave combines the shares and only the result reader learns the secret.',
  plan() {
    const example = exampleNamed(PROGRAM);
    const shares = quickstartShares.map((hex) => new Uint8Array(Buffer.from(hex, 'hex')));
    const files = new Map(shares.map((share, i) => [`/input/shamir-${i}.dat`, share]));
    const expected = example.reference({ files }).get(example.outputs[0]!)!;
    const program = exampleProgram(PROGRAM, ['/input/:r', '/output/:w']);
    return {
      parties: [
        { name: 'program-provider', role: 'provides the program', capabilities: ['/program/:w'] },
        ...holders.map((name, i) => ({
          name,
          role: `holds share ${i + 1}`,
          capabilities: [`/input/shamir-${i}.dat:w`],
        })),
        {
          name: 'result-reader',
          role: 'runs the program and reads the secret',
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
          ...holders.map((party, i) => ({
            party,
            steps: [
              {
                op: 'data' as const,
                path: `/input/shamir-${i}.dat`,
                source: 'share',
                mode: 'write' as const,
              },
            ],
          })),
        ],
        [
          {
            party: 'result-reader',
            steps: [
              { op: 'compute', program: programPath(PROGRAM) },
              { op: 'result', path: example.outputs[0]!, destination: 'secret' },
              { op: 'shutdown' },
            ],
          },
        ],
      ],
      sources: sourceMap({
        'program-provider': { wasm: program.wasm },
        ...Object.fromEntries(holders.map((h, i) => [h, { share: shares[i]! }])),
      }),
      decode: (_party, _label, bytes) => ({ secret: fromUtf8(bytes).trimEnd() }),
      check: (results) =>
        verdictFor(
          results,
          [{ party: 'result-reader', label: 'secret' }],
          expected,
          (bytes) => `the rebuilt secret is ${JSON.stringify(fromUtf8(bytes).trimEnd())}`,
        ),
    };
  },
};
