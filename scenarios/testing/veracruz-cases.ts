// Veracruz's own server and integration tests, as scenarios (test-only, not in `vc scenario list`):
// the computations the catalog does not already tell as a use case (one client with a random
// source, linear regression with two and with four clients, intersection sum with the data in
// reversed order, string edit distance with the data provided in parallel, postcard to JSON,
// IDASH 2017 over a folder of datasets, and Veracruz's darknet example over a stream of frames),
// and the enclave's refusals of a participant. The catalog's linear-regression, number-stream, pipeline-sort and
// intersection-sum are Veracruz's other integration tests (VERACRUZ_CATALOG_CASES).
import { createIdentity, type GeneratedIdentity, type Identity } from '../../protocol/index.js';
import type { Step } from '../../machines/index.js';
import { exampleNamed } from '../../sdk/index.js';
import type { PreparedRun } from '../prepare.js';
import type { PartySpec, Scenario, Turn, Verdict } from '../scenario.js';
import { exampleProgram, programPath, sourceMap, verdictFor } from '../use-cases/support.js';

/** Catalog scenarios that are Veracruz integration tests as well. */
export const VERACRUZ_CATALOG_CASES = [
  'linear-regression',
  'number-stream',
  'pipeline-sort',
  'intersection-sum',
] as const;

const passed = (headline: string): Verdict => ({ ok: true, headline, details: [] });

const randomSource: Scenario = {
  name: 'random-source',
  title: 'One client: random source',
  summary: 'One client provisions, runs and reads a program that draws from the random source.',
  plan() {
    const example = exampleNamed('random-source');
    const program = exampleProgram('random-source', ['/output/:w']);
    const out = example.outputs[0]!;
    return {
      parties: [
        {
          name: 'client',
          role: 'provides, runs and reads',
          capabilities: ['/program/:wx', '/output/:r'],
        },
      ],
      programs: [program],
      rounds: [
        [
          {
            party: 'client',
            steps: [
              { op: 'program', path: program.path, source: 'wasm' },
              { op: 'compute', program: program.path },
              { op: 'result', path: out, destination: out },
              { op: 'shutdown' },
            ],
          },
        ],
      ],
      sources: sourceMap({ client: { wasm: program.wasm } }),
      check: (results) => {
        const problem = example.random!.verify(
          { files: new Map() },
          results.get('client') ?? new Map(),
        );
        return problem
          ? { ok: false, headline: 'the random output is malformed', details: [problem] }
          : passed('well-formed random output');
      },
    };
  },
};

/**
 * Linear regression with two clients (one provides the program and reads, one the data) or four
 * (program, data, a reader that runs it, a second reader in a later round).
 */
function linearRegression(clients: 2 | 4): Scenario {
  return {
    name: `linear-regression-${clients}-clients`,
    title: `Linear regression with ${clients} clients`,
    summary: 'Program and data provisioned in parallel, then read by one or two readers.',
    plan(seed) {
      const example = exampleNamed('linear-regression');
      const program = exampleProgram('linear-regression', ['/input/:r', '/output/:w']);
      const caps: string[][] =
        clients === 2
          ? [['/program/:wx', '/output/:r'], ['/input/:w']]
          : [['/program/:w'], ['/input/:w'], ['/program/:x', '/output/:r'], ['/output/:r']];
      const parties: PartySpec[] = caps.map((capabilities, i) => ({
        name: `client-${i}`,
        role: ['program', 'data', 'reader', 'second reader'][i]!,
        capabilities,
      }));
      const data = example.generate(seed + clients, 40);
      const [inputPath, input] = [...data.files][0]!;
      const out = example.outputs[0]!;
      const reader = clients === 2 ? 'client-0' : 'client-2';
      const rounds: Turn[][] = [
        [
          { party: 'client-0', steps: [{ op: 'program', path: program.path, source: 'wasm' }] },
          {
            party: 'client-1',
            steps: [{ op: 'data', path: inputPath, source: 'data', mode: 'write' }],
          },
        ],
        [
          {
            party: reader,
            steps: [
              { op: 'compute', program: program.path },
              { op: 'result', path: out, destination: out },
            ],
          },
        ],
      ];
      if (clients === 4)
        rounds.push([
          { party: 'client-3', steps: [{ op: 'result', path: out, destination: out }] },
        ]);
      rounds.push([{ party: 'client-1', steps: [{ op: 'shutdown' }] }]);
      const readers = clients === 4 ? [reader, 'client-3'] : [reader];
      return {
        parties,
        programs: [program],
        rounds,
        sources: sourceMap({ 'client-0': { wasm: program.wasm }, 'client-1': { data: input } }),
        check: (results) =>
          verdictFor(
            results,
            readers.map((party) => ({ party, label: out })),
            example.reference(data).get(out)!,
            () => 'the fitted line matches the reference',
          ),
      };
    },
  };
}

/** Two data providers and one program; the data arrives in reversed order or in parallel. */
function twoInputs(example: string, order: 'reversed' | 'parallel'): Scenario {
  return {
    name: `${example}-${order}`,
    title: `${example} with the data provided ${order === 'reversed' ? 'in reversed order' : 'in parallel'}`,
    summary: 'A program provider who reads the result, and two data providers.',
    plan(seed) {
      const e = exampleNamed(example);
      const program = exampleProgram(example, ['/input/:r', '/output/:w']);
      const data = e.generate(seed, 20);
      const out = e.outputs[0]!;
      const upload = (i: 1 | 2): Turn => ({
        party: `data-${i}`,
        steps: [{ op: 'data', path: e.inputs[i - 1]!, source: 'd', mode: 'write' }],
      });
      return {
        parties: [
          {
            name: 'owner',
            role: 'program and result',
            capabilities: ['/program/:wx', '/output/:r'],
          },
          { name: 'data-1', role: 'first input', capabilities: [`${e.inputs[0]!}:w`] },
          { name: 'data-2', role: 'second input', capabilities: [`${e.inputs[1]!}:w`] },
        ],
        programs: [program],
        rounds: [
          [{ party: 'owner', steps: [{ op: 'program', path: program.path, source: 'wasm' }] }],
          ...(order === 'reversed' ? [[upload(2)], [upload(1)]] : [[upload(1), upload(2)]]),
          [
            {
              party: 'owner',
              steps: [
                { op: 'compute', program: programPath(example) },
                { op: 'result', path: out, destination: out },
                { op: 'shutdown' },
              ],
            },
          ],
        ],
        sources: sourceMap({
          owner: { wasm: program.wasm },
          'data-1': { d: data.files.get(e.inputs[0]!)! },
          'data-2': { d: data.files.get(e.inputs[1]!)! },
        }),
        check: (results) =>
          verdictFor(
            results,
            [{ party: 'owner', label: out }],
            e.reference(data).get(out)!,
            () => 'the result matches the reference',
          ),
      };
    },
  };
}

/**
 * Veracruz's single-client tests (policy `single_client.json`: one client provides the program
 * and every input, runs it and reads): the inputs written one by one (Veracruz's `write_all` of a
 * folder), one execution, the named results read and checked against the reference.
 */
function singleClient(
  name: string,
  title: string,
  example: string,
  size: number,
  reads: readonly string[],
): Scenario {
  return {
    name,
    title,
    summary: `One client provisions ${example} and its inputs, runs it and reads ${reads.join(', ')}.`,
    plan(seed) {
      const e = exampleNamed(example);
      const program = exampleProgram(example, ['/input/:r', '/output/:w']);
      const data = e.generate(seed, size);
      const expected = e.reference(data);
      const inputs = [...data.files];
      return {
        parties: [
          {
            name: 'client',
            role: 'provides, runs and reads',
            capabilities: ['/program/:wx', '/input/:w', '/output/:r'],
          },
        ],
        programs: [program],
        rounds: [
          [
            {
              party: 'client',
              steps: [
                { op: 'program', path: program.path, source: 'wasm' },
                ...inputs.map(([path], i): Step => ({
                  op: 'data',
                  path,
                  source: `in-${i}`,
                  mode: 'write',
                })),
                { op: 'compute', program: program.path },
                ...reads.map((path): Step => ({ op: 'result', path, destination: path })),
                { op: 'shutdown' },
              ],
            },
          ],
        ],
        sources: sourceMap({
          client: {
            wasm: program.wasm,
            ...Object.fromEntries(inputs.map(([, bytes], i) => [`in-${i}`, bytes])),
          },
        }),
        check: (results) => {
          const verdicts = reads.map((path) =>
            verdictFor(
              results,
              [{ party: 'client', label: path }],
              expected.get(path)!,
              () => path,
            ),
          );
          const failed = verdicts.filter((v) => !v.ok);
          return failed.length > 0
            ? {
                ok: false,
                headline: 'a result differs from the reference',
                details: failed.flatMap((v) => v.details),
              }
            : passed(`${reads.length} result(s) equal the reference`);
        },
      };
    },
  };
}

/**
 * Veracruz's darknet example (it has no server test) as a stream: the detector and its labels
 * provisioned once, then per frame one `image.pgm` write, one execution, one `prediction.log`
 * read, each checked against the reference.
 */
const detectionFrames: Scenario = {
  name: 'object-detection-frames',
  title: 'Object detection over a stream of frames',
  summary: 'One client provisions the detector once, then writes, runs and reads frame by frame.',
  plan(seed) {
    const e = exampleNamed('object-detection');
    const program = exampleProgram('object-detection', ['/input/:r', '/output/:w']);
    const frames = [0, 1, 2].map((i) => e.generate(seed + i, 1));
    const [first] = frames;
    const out = e.outputs[0]!;
    const fixed = ['/input/detector.vcqn', '/input/labels.names'];
    const image = '/input/image.pgm';
    const steps: Step[] = [
      { op: 'program', path: program.path, source: 'wasm' },
      ...fixed.map((path): Step => ({ op: 'data', path, source: path, mode: 'write' })),
      ...frames.flatMap((_, i): Step[] => [
        { op: 'data', path: image, source: `frame-${i}`, mode: 'write' },
        { op: 'compute', program: program.path },
        { op: 'result', path: out, destination: `prediction-${i}` },
      ]),
      { op: 'shutdown' },
    ];
    return {
      parties: [
        {
          name: 'client',
          role: 'provides, runs and reads',
          capabilities: ['/program/:wx', '/input/:w', '/output/:r'],
        },
      ],
      programs: [program],
      rounds: [[{ party: 'client', steps }]],
      sources: sourceMap({
        client: {
          wasm: program.wasm,
          ...Object.fromEntries(fixed.map((path) => [path, first!.files.get(path)!])),
          ...Object.fromEntries(frames.map((f, i) => [`frame-${i}`, f.files.get(image)!])),
        },
      }),
      check: (results) => {
        const failed = frames
          .map((f, i) =>
            verdictFor(
              results,
              [{ party: 'client', label: `prediction-${i}` }],
              e.reference(f).get(out)!,
              () => `frame ${i}`,
            ),
          )
          .filter((v) => !v.ok);
        return failed.length > 0
          ? {
              ok: false,
              headline: 'a prediction differs from the reference',
              details: failed.flatMap((v) => v.details),
            }
          : passed(`${frames.length} frames' predictions equal the reference`);
      },
    };
  },
};

export const veracruzCases: readonly Scenario[] = [
  randomSource,
  linearRegression(2),
  linearRegression(4),
  twoInputs('intersection-set-sum', 'reversed'),
  twoInputs('string-edit-distance', 'parallel'),
  // Veracruz's integration_postcard_json: 10 values, as its generator's Makefile makes.
  singleClient('postcard-json', 'Postcard to JSON (Wasm)', 'postcard-wasm', 10, [
    '/output/postcard_wasm.txt',
  ]),
  // Veracruz's performance_idash2017: five datasets of 200 rows (40 test, 160 training) of 20
  // features; it reads the first two results.
  singleClient('idash2017', 'IDASH 2017 logistic regression', 'idash2017-logistic-regression', 39, [
    '/output/idash2017/generate-data-0.dat',
    '/output/idash2017/generate-data-1.dat',
  ]),
  detectionFrames,
];

/** A participant the enclave refuses: its one turn fails with `code`. */
export interface RefusalCase {
  readonly scenario: Scenario;
  readonly code: string;
  /**
   * Who really acts for the party `owner`, from its own identity and a stranger's (not in the
   * policy): by default the owner itself.
   */
  readonly actingAs?: (own: Identity, stranger: Identity) => Identity;
}

const LR = 'linear-regression';

/** One linear-regression policy (an owner with the program and the result, a data provider). */
function refusal(
  name: string,
  code: string,
  steps: readonly Step[],
  actingAs?: RefusalCase['actingAs'],
): RefusalCase {
  const scenario: Scenario = {
    name: `refused-${name}`,
    title: `Refused: ${name.replace(/-/g, ' ')}`,
    summary: `The enclave refuses the owner's turn with ${code}.`,
    plan() {
      const program = exampleProgram(LR, ['/input/:r', '/output/:w']);
      return {
        parties: [
          {
            name: 'owner',
            role: 'program and result',
            capabilities: ['/program/:wx', '/output/:r'],
          },
          { name: 'data', role: 'data', capabilities: ['/input/:w'] },
        ],
        programs: [program],
        rounds: [[{ party: 'owner', steps }]],
        sources: sourceMap({ owner: { wasm: program.wasm } }),
        check: () => ({ ok: false, headline: 'the turn should have been refused', details: [] }),
      };
    },
  };
  return { scenario, code, ...(actingAs ? { actingAs } : {}) };
}

/** A certificate with another identity's key. */
const hybrid = (certificateOf: Identity, keyOf: Identity): Identity => ({
  certificate: certificateOf.certificate,
  certificatePem: certificateOf.certificatePem,
  privateKey: keyOf.privateKey,
  publicKey: keyOf.publicKey,
});

export const refusalCases: readonly RefusalCase[] = [
  refusal('reading-a-result-before-any-execution', 'ERR_NO_RESULT', [
    { op: 'result', path: exampleNamed(LR).outputs[0]!, destination: 'x' },
  ]),
  refusal('executing-a-program-never-provisioned', 'ERR_PROGRAM_NOT_FOUND', [
    { op: 'compute', program: programPath(LR) },
  ]),
  refusal('a-program-whose-input-is-missing', 'ERR_PROGRAM_FAILED', [
    { op: 'program', path: programPath(LR), source: 'wasm' },
    { op: 'compute', program: programPath(LR) },
  ]),
  refusal(
    'a-key-that-does-not-match-its-certificate',
    'ERR_SIGNATURE_INVALID',
    [{ op: 'shutdown' }],
    (own, stranger) => hybrid(own, stranger),
  ),
  refusal(
    'a-certificate-not-in-the-policy',
    'ERR_UNKNOWN_PARTICIPANT',
    [{ op: 'shutdown' }],
    (own, stranger) => hybrid(stranger, own),
  ),
  refusal(
    'a-certificate-and-key-pair-not-in-the-policy',
    'ERR_UNKNOWN_PARTICIPANT',
    [{ op: 'shutdown' }],
    (_own, stranger) => stranger,
  ),
];

/** The prepared run with the owner acting as the case says (a fresh stranger where it needs one). */
export async function actingRun(run: PreparedRun, refusal: RefusalCase): Promise<PreparedRun> {
  if (!refusal.actingAs) return run;
  const stranger: GeneratedIdentity = await createIdentity({
    name: 'stranger',
    now: new Date(Date.now() - 3600_000),
  });
  const identities = new Map(run.identities);
  identities.set('owner', refusal.actingAs(run.identities.get('owner')!, stranger));
  return { ...run, identities };
}
