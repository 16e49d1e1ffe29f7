// A Veracruz pipeline: random-u32-list draws numbers inside the enclave, sort-numbers sorts them,
// in one execution over one file system. The reader checks the sorted list is exactly the drawn
// list, sorted (the numbers come from the enclave's random source, so there is no fixed answer).
import { exampleNamed, fromUtf8, pipelineNamed } from '../../sdk/index.js';
import type { Scenario } from '../scenario.js';
import { exampleProgram, sourceMap } from './support.js';

const PIPELINE = 'random-sort';

export const pipelineSort: Scenario = {
  name: 'pipeline-sort',
  title: 'Pipeline: random numbers, then sorted',
  summary:
    'A program provider supplies two programs; the reader executes the policy pipeline ' +
    '"random-u32-list ; sort-numbers" and reads both the drawn and the sorted list.',
  plan() {
    const pipeline = pipelineNamed(PIPELINE);
    const programs = pipeline.programs.map((name) =>
      exampleProgram(name, ['/input/:r', '/output/:rw']),
    );
    const [unsorted, sorted] = [
      exampleNamed('random-u32-list').outputs[0]!,
      exampleNamed('sort-numbers').outputs[0]!,
    ];
    return {
      parties: [
        { name: 'program-provider', role: 'provides both programs', capabilities: ['/program/:w'] },
        {
          name: 'reader',
          role: 'runs the pipeline and reads both lists',
          capabilities: ['/program/:x', '/output/:r'],
        },
      ],
      programs,
      pipelines: [{ pipeline: pipeline.pipeline, capabilities: ['/input/:r', '/output/:rw'] }],
      rounds: [
        [
          {
            party: 'program-provider',
            steps: programs.map((p, i) => ({
              op: 'program' as const,
              path: p.path,
              source: `program-${i}`,
            })),
          },
        ],
        [
          {
            party: 'reader',
            steps: [
              { op: 'pipeline', pipeline: '0' },
              { op: 'result', path: unsorted, destination: 'unsorted' },
              { op: 'result', path: sorted, destination: 'sorted' },
              { op: 'shutdown' },
            ],
          },
        ],
      ],
      sources: sourceMap({
        'program-provider': Object.fromEntries(programs.map((p, i) => [`program-${i}`, p.wasm])),
      }),
      decode: (_party, _label, bytes) => fromUtf8(bytes).trim().split(',').map(Number),
      check: (results) => {
        const mine = results.get('reader');
        const outputs = new Map<string, Uint8Array>();
        const a = mine?.get('unsorted');
        const b = mine?.get('sorted');
        if (a) outputs.set(unsorted, a);
        if (b) outputs.set(sorted, b);
        // The programs run without environment variables: random-u32-list's default count.
        const problem = pipeline.verify(outputs, { COUNT: '32' });
        if (problem)
          return { ok: false, headline: 'the pipeline result is wrong', details: [problem] };
        const numbers = fromUtf8(b!).trim().split(',');
        return {
          ok: true,
          headline: `${numbers.length} random numbers drawn in the enclave came out sorted (${numbers[0]} … ${numbers.at(-1)})`,
          details: ['the sorted list is exactly the drawn list, in order'],
        };
      },
    };
  },
};
