// A private poll with twenty voters: each voter writes only its own ballot, the pollster sets the
// publication threshold k and runs the tally. Only options with at least k votes are published,
// so nobody's lone vote can be singled out.
import { exampleNamed, fromUtf8 } from '../../sdk/index.js';
import type { Scenario } from '../scenario.js';
import { exampleProgram, programPath, sourceMap, verdictFor } from './support.js';

const PROGRAM = 'private-poll';
const VOTERS = 20;
const THRESHOLD = '/input/poll-threshold.dat';

const voterName = (i: number): string => `voter-${String(i + 1).padStart(2, '0')}`;

export const privatePoll: Scenario = {
  name: 'private-poll',
  title: 'Private poll (twenty voters, k-threshold)',
  summary:
    'Twenty voters each cast one sealed ballot. The pollster runs the tally, which publishes the ' +
    'count of an option only when at least k voters chose it; ballots themselves are never revealed.',
  plan(seed) {
    const example = exampleNamed(PROGRAM);
    const generated = example.generate(seed, VOTERS);
    const ballots = [...generated.files].filter(([path]) => path.startsWith('/input/votes/'));
    const files = new Map<string, Uint8Array>([[THRESHOLD, generated.files.get(THRESHOLD)!]]);
    ballots.forEach(([, ballot], i) => files.set(`/input/votes/${voterName(i)}`, ballot));
    const output = example.outputs[0]!;
    const expected = example.reference({ files }).get(output)!;
    const program = exampleProgram(PROGRAM, ['/input/:r', '/output/:w']);
    const voters = ballots.map((_, i) => voterName(i));
    return {
      parties: [
        {
          name: 'pollster',
          role: 'provides the program and the threshold, runs the tally, reads it',
          capabilities: ['/program/:wx', `${THRESHOLD}:w`, '/output/:r'],
        },
        ...voters.map((name) => ({
          name,
          role: 'casts one ballot',
          capabilities: [`/input/votes/${name}:w`],
        })),
      ],
      programs: [program],
      rounds: [
        [
          {
            party: 'pollster',
            steps: [
              { op: 'program', path: program.path, source: 'wasm' },
              { op: 'data', path: THRESHOLD, source: 'threshold', mode: 'write' },
            ],
          },
          ...voters.map((party) => ({
            party,
            steps: [
              {
                op: 'data' as const,
                path: `/input/votes/${party}`,
                source: 'ballot',
                mode: 'write' as const,
              },
            ],
          })),
        ],
        [
          {
            party: 'pollster',
            steps: [
              { op: 'compute', program: programPath(PROGRAM) },
              { op: 'result', path: output, destination: 'tally' },
              { op: 'shutdown' },
            ],
          },
        ],
      ],
      sources: sourceMap({
        pollster: { wasm: program.wasm, threshold: files.get(THRESHOLD)! },
        ...Object.fromEntries(voters.map((v) => [v, { ballot: files.get(`/input/votes/${v}`)! }])),
      }),
      decode: (_party, _label, bytes) =>
        Object.fromEntries(
          fromUtf8(bytes)
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((row) => {
              const [option = '', count = ''] = row.split(',');
              return [option, Number(count)];
            }),
        ),
      check: (results) =>
        verdictFor(results, [{ party: 'pollster', label: 'tally' }], expected, (bytes) => {
          const k = fromUtf8(files.get(THRESHOLD)!).trim();
          const rows = fromUtf8(bytes).trim().split('\n').filter(Boolean);
          const shown = rows.map((row) => row.replace(',', ': ')).join(', ');
          return `published (k = ${k}): ${shown || 'no option reached the threshold'}`;
        }),
    };
  },
};
