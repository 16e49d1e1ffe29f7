// Two hospitals find the patients they share without showing each other their patient lists: each
// provisions its own list, the enclave intersects them, and both read only the intersection.
import { exampleNamed } from '../../sdk/index.js';
import type { Scenario } from '../scenario.js';
import { PostcardReader } from '../../protocol/index.js';
import { exampleProgram, programPath, sourceMap, verdictFor } from './support.js';

const PROGRAM = 'private-set-intersection';
const PATIENTS = 60;

export const psiHospitals: Scenario = {
  name: 'psi-hospitals',
  title: 'Private set intersection between two hospitals',
  summary:
    'Two hospitals each provision their patient list. The enclave computes the patients on both ' +
    "lists; each hospital reads that intersection and nothing else of the other's list.",
  plan(seed) {
    const example = exampleNamed(PROGRAM);
    const run = example.generate(seed, PATIENTS);
    const [listA, listB] = example.inputs as [string, string];
    const output = example.outputs[0]!;
    const expected = example.reference(run).get(output)!;
    const program = exampleProgram(PROGRAM, ['/input/:r', '/output/:w']);
    return {
      parties: [
        {
          name: 'hospital-a',
          role: 'provides the program and its patient list, runs it, reads the intersection',
          capabilities: ['/program/:wx', `${listA}:w`, '/output/:r'],
        },
        {
          name: 'hospital-b',
          role: 'provides its patient list and reads the intersection',
          capabilities: [`${listB}:w`, '/output/:r'],
        },
      ],
      programs: [program],
      rounds: [
        [
          {
            party: 'hospital-a',
            steps: [
              { op: 'program', path: program.path, source: 'wasm' },
              { op: 'data', path: listA, source: 'patients', mode: 'write' },
            ],
          },
          {
            party: 'hospital-b',
            steps: [{ op: 'data', path: listB, source: 'patients', mode: 'write' }],
          },
        ],
        [
          {
            party: 'hospital-a',
            steps: [
              { op: 'compute', program: programPath(PROGRAM) },
              { op: 'result', path: output, destination: 'shared-patients' },
            ],
          },
        ],
        [
          {
            party: 'hospital-b',
            steps: [
              { op: 'result', path: output, destination: 'shared-patients' },
              { op: 'shutdown' },
            ],
          },
        ],
      ],
      sources: sourceMap({
        'hospital-a': { wasm: program.wasm, patients: run.files.get(listA)! },
        'hospital-b': { patients: run.files.get(listB)! },
      }),
      // postcard HashSet<Person>: the count first, as a varint.
      decode: (_party, _label, bytes) => ({ sharedPatients: new PostcardReader(bytes).length() }),
      check: (results) =>
        verdictFor(
          results,
          ['hospital-a', 'hospital-b'].map((party) => ({ party, label: 'shared-patients' })),
          expected,
          (bytes) => {
            const shared = new PostcardReader(bytes).length();
            return `${shared} patients are on both lists of ${PATIENTS} (each hospital learns only those)`;
          },
        ),
    };
  },
};
