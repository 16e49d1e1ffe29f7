// Veracruz's own server and integration scenarios, written once against a ScenarioSystem so they run
// over the in-memory bus and over NATS: happy computations (random source, linear regression with
// 2-4 clients, intersection sum with data in reversed order, string edit distance, a pipeline,
// number-stream accumulation with appends) and the enclave's refusals.
import assert from 'node:assert/strict';
import { exampleNamed, pipelineNamed, type GuestFiles } from '../sdk/examples/index.js';
import type { Step } from '../machines/index.js';
import type { GeneratedIdentity, Identity } from '../protocol/identity/index.js';
import type { LoadedPolicy } from '../protocol/policy/types.js';
import { runComputation, runParty, type PartyOutcome, type PartyPlan } from './run-computation.js';
import { identities, policyFor, wasmOf, type ScenarioSystem } from './scenario-kit.js';
import type { ErrorCode } from '../protocol/error-codes.js';

export interface Scenario {
  readonly name: string;
  run(system: ScenarioSystem): Promise<ScenarioRun>;
}

export interface ScenarioRun {
  readonly computation: string;
  readonly outcomes: PartyOutcome[][];
}

function assertAllDone(outcomes: PartyOutcome[][]): void {
  for (const o of outcomes.flat())
    assert.equal(o.state, 'done', `${o.name}: ${JSON.stringify(o.failure)}`);
}

async function computation(
  system: ScenarioSystem,
  policy: LoadedPolicy,
  rounds: PartyPlan[][],
): Promise<ScenarioRun> {
  const launched = await system.launch(policy);
  const outcomes = await runComputation({ bus: system.bus, policy, rounds });
  return { computation: launched.computation, outcomes };
}

const prog = (name: string) => `/program/${name}.wasm`;

function randomSource(): Scenario {
  return {
    name: 'one client: random source',
    async run(system) {
      const [p0] = await identities(1);
      const example = exampleNamed('random-source');
      const wasm = wasmOf('random-source');
      const policy = policyFor(system, {
        participants: [{ identity: p0!, capabilities: ['/program/:wx', '/output/:r'] }],
        programs: [{ path: prog('random-source'), bytes: wasm, capabilities: ['/output/:w'] }],
      });
      const out = example.outputs[0]!;
      const run = await computation(system, policy, [
        [
          {
            identity: p0!,
            sources: { wasm },
            steps: [
              { op: 'program', path: prog('random-source'), source: 'wasm' },
              { op: 'compute', program: prog('random-source') },
              { op: 'result', path: out, destination: out },
              { op: 'shutdown' },
            ],
          },
        ],
      ]);
      assertAllDone(run.outcomes);
      const results = run.outcomes[0]![0]!.results as GuestFiles;
      assert.equal(example.random!.verify({ files: new Map() }, results), undefined);
      return run;
    },
  };
}

function linearRegression(clients: 2 | 3 | 4): Scenario {
  return {
    name: `linear regression with ${clients} clients`,
    async run(system) {
      const ids = await identities(clients);
      const example = exampleNamed('linear-regression');
      const wasm = wasmOf('linear-regression');
      const program = prog('linear-regression');
      const caps: string[][] =
        clients === 2
          ? [['/program/:wx', '/output/:r'], ['/input/:w']]
          : [['/program/:w'], ['/input/:w'], ['/program/:x', '/output/:r'], ['/output/:r']].slice(
              0,
              clients,
            );
      const policy = policyFor(system, {
        participants: ids.map((identity, i) => ({ identity, capabilities: caps[i]! })),
        programs: [{ path: program, bytes: wasm, capabilities: ['/input/:r', '/output/:w'] }],
      });
      const data = example.generate(11 + clients, 40);
      const [inputPath, input] = [...data.files][0]!;
      const out = example.outputs[0]!;
      const reader = clients === 2 ? ids[0]! : ids[2]!;
      const rounds: PartyPlan[][] = [
        [
          {
            name: 'program',
            identity: ids[0]!,
            sources: { wasm },
            steps: [{ op: 'program', path: program, source: 'wasm' }],
          },
          {
            name: 'data',
            identity: ids[1]!,
            sources: { data: input },
            steps: [{ op: 'data', path: inputPath, source: 'data', mode: 'write' }],
          },
        ],
        [
          {
            name: 'reader',
            identity: reader,
            steps: [
              { op: 'compute', program },
              { op: 'result', path: out, destination: out },
            ],
          },
        ],
      ];
      if (clients === 4)
        rounds.push([
          {
            name: 'second reader',
            identity: ids[3]!,
            steps: [{ op: 'result', path: out, destination: out }],
          },
        ]);
      rounds.push([{ name: 'shutdown', identity: ids[1]!, steps: [{ op: 'shutdown' }] }]);
      const run = await computation(system, policy, rounds);
      assertAllDone(run.outcomes);
      const expected = example.reference(data).get(out);
      assert.deepEqual(run.outcomes[1]![0]!.results.get(out), expected);
      if (clients === 4) assert.deepEqual(run.outcomes[2]![0]!.results.get(out), expected);
      return run;
    },
  };
}

/** Two data providers, one program; data arrives in the given order (or in parallel). */
function twoInputs(name: string, exampleName: string, order: 'reversed' | 'parallel'): Scenario {
  return {
    name,
    async run(system) {
      const ids = await identities(3);
      const example = exampleNamed(exampleName);
      const wasm = wasmOf(exampleName);
      const program = prog(exampleName);
      const policy = policyFor(system, {
        participants: [
          { identity: ids[0]!, capabilities: ['/program/:wx', '/output/:r'] },
          { identity: ids[1]!, capabilities: [`${example.inputs[0]!}:w`] },
          { identity: ids[2]!, capabilities: [`${example.inputs[1]!}:w`] },
        ],
        programs: [{ path: program, bytes: wasm, capabilities: ['/input/:r', '/output/:w'] }],
      });
      const data = example.generate(5, 20);
      const upload = (i: 1 | 2): PartyPlan => {
        const path = example.inputs[i - 1]!;
        return {
          name: `data-${i}`,
          identity: ids[i]!,
          sources: { d: data.files.get(path)! },
          steps: [{ op: 'data', path, source: 'd', mode: 'write' }],
        };
      };
      const out = example.outputs[0]!;
      const run = await computation(system, policy, [
        [
          {
            name: 'program',
            identity: ids[0]!,
            sources: { wasm },
            steps: [{ op: 'program', path: program, source: 'wasm' }],
          },
        ],
        ...(order === 'reversed' ? [[upload(2)], [upload(1)]] : [[upload(1), upload(2)]]),
        [
          {
            name: 'reader',
            identity: ids[0]!,
            steps: [
              { op: 'compute', program },
              { op: 'result', path: out, destination: out },
              { op: 'shutdown' },
            ],
          },
        ],
      ]);
      assertAllDone(run.outcomes);
      assert.deepEqual(run.outcomes.at(-1)![0]!.results.get(out), example.reference(data).get(out));
      return run;
    },
  };
}

function pipeline(): Scenario {
  return {
    name: 'pipeline: random-u32-list then sort-numbers',
    async run(system) {
      const [p0] = await identities(1);
      const spec = pipelineNamed('random-sort');
      const programs = spec.programs.map((name) => ({
        name,
        path: prog(name),
        bytes: wasmOf(name),
      }));
      const policy = policyFor(system, {
        participants: [{ identity: p0!, capabilities: ['/program/:wx', '/output/:r'] }],
        programs: programs.map((p) => ({
          path: p.path,
          bytes: p.bytes,
          capabilities: ['/output/:rw'],
        })),
        pipelines: [{ pipeline: spec.pipeline, capabilities: ['/output/:rw'] }],
      });
      const outputs = ['/output/unsorted_numbers.txt', '/output/sorted_numbers.txt'];
      const steps: Step[] = [
        ...programs.map((p): Step => ({ op: 'program', path: p.path, source: p.name })),
        { op: 'pipeline', pipeline: '0' },
        ...outputs.map((path): Step => ({ op: 'result', path, destination: path })),
        { op: 'shutdown' },
      ];
      const sources = Object.fromEntries(programs.map((p) => [p.name, p.bytes]));
      const run = await computation(system, policy, [[{ identity: p0!, sources, steps }]]);
      assertAllDone(run.outcomes);
      // The enclave gives programs no environment (a policy has none), so COUNT keeps its default.
      assert.equal(spec.verify(run.outcomes[0]![0]!.results as GuestFiles, {}), undefined);
      return run;
    },
  };
}

function numberStream(): Scenario {
  return {
    name: 'number-stream accumulation over rounds with appends',
    async run(system) {
      const ids = await identities(3);
      const example = exampleNamed('number-stream-accumulation');
      const wasm = wasmOf('number-stream-accumulation');
      const program = prog('number-stream-accumulation');
      const policy = policyFor(system, {
        participants: [
          { identity: ids[0]!, capabilities: ['/program/:wx', '/output/:r'] },
          { identity: ids[1]!, capabilities: ['/input/:w'] },
          { identity: ids[2]!, capabilities: ['/input/:w'] },
        ],
        programs: [{ path: program, bytes: wasm, capabilities: ['/input/:r', '/output/:rw'] }],
      });
      const data = example.generate(3, 3);
      const rounds = data.rounds ?? 1;
      const value = (path: string, i: number) => data.files.get(path)!.subarray(i * 8, (i + 1) * 8);
      const s1 = '/input/number-stream-1.dat';
      const s2 = '/input/number-stream-2.dat';
      const init = '/input/number-stream-init.dat';
      const plans: PartyPlan[][] = [];
      for (let r = 0; r < rounds; r++) {
        const mode = r === 0 ? 'write' : 'append';
        plans.push([
          {
            identity: ids[1]!,
            sources: { init: data.files.get(init)!, v: value(s1, r) },
            steps: [
              ...(r === 0
                ? [{ op: 'data', path: init, source: 'init', mode: 'write' } as Step]
                : []),
              { op: 'data', path: s1, source: 'v', mode },
            ],
          },
          {
            identity: ids[2]!,
            sources: { v: value(s2, r) },
            steps: [{ op: 'data', path: s2, source: 'v', mode }],
          },
          ...(r === 0
            ? [
                {
                  identity: ids[0]!,
                  sources: { wasm },
                  steps: [{ op: 'program', path: program, source: 'wasm' } as Step],
                },
              ]
            : []),
        ]);
        plans.push([{ identity: ids[0]!, steps: [{ op: 'compute', program }] }]);
      }
      const out = example.outputs[0]!;
      plans.push([
        {
          identity: ids[0]!,
          steps: [{ op: 'result', path: out, destination: out }, { op: 'shutdown' }],
        },
      ]);
      const run = await computation(system, policy, plans);
      assertAllDone(run.outcomes);
      assert.deepEqual(run.outcomes.at(-1)![0]!.results.get(out), example.reference(data).get(out));
      return run;
    },
  };
}

/** One linear-regression policy; `act` runs the refused participant and returns its outcome. */
function refusal(
  name: string,
  code: ErrorCode,
  act: (ctx: {
    system: ScenarioSystem;
    policy: LoadedPolicy;
    ids: GeneratedIdentity[];
    program: string;
    wasm: Uint8Array;
    stranger: GeneratedIdentity;
  }) => Promise<PartyOutcome>,
): Scenario {
  return {
    name: `refused: ${name}`,
    async run(system) {
      const [ids, [stranger]] = await Promise.all([identities(2), identities(1)]);
      const wasm = wasmOf('linear-regression');
      const program = prog('linear-regression');
      const policy = policyFor(system, {
        participants: [
          { identity: ids[0]!, capabilities: ['/program/:wx', '/output/:r'] },
          { identity: ids[1]!, capabilities: ['/input/:w'] },
        ],
        programs: [{ path: program, bytes: wasm, capabilities: ['/input/:r', '/output/:w'] }],
      });
      const launched = await system.launch(policy);
      const outcome = await act({ system, policy, ids, program, wasm, stranger: stranger! });
      assert.equal(outcome.state, 'failed');
      assert.equal(outcome.failure?.code, code);
      return { computation: launched.computation, outcomes: [[outcome]] };
    },
  };
}

const party = (system: ScenarioSystem, policy: LoadedPolicy, plan: PartyPlan) =>
  runParty({ bus: system.bus, policy }, plan);
const hybrid = (certificateOf: GeneratedIdentity, keyOf: GeneratedIdentity): Identity => ({
  certificate: certificateOf.certificate,
  certificatePem: certificateOf.certificatePem,
  privateKey: keyOf.privateKey,
  publicKey: keyOf.publicKey,
});

export const refusals: readonly Scenario[] = [
  refusal('reading a result before any execution', 'ERR_NO_RESULT', ({ system, policy, ids }) =>
    party(system, policy, {
      identity: ids[0]!,
      steps: [{ op: 'result', path: '/output/linear-regression.dat', destination: 'x' }],
    }),
  ),
  refusal(
    'executing a program that was never provisioned',
    'ERR_PROGRAM_NOT_FOUND',
    ({ system, policy, ids, program }) =>
      party(system, policy, { identity: ids[0]!, steps: [{ op: 'compute', program }] }),
  ),
  refusal(
    'a program whose input is missing',
    'ERR_PROGRAM_FAILED',
    ({ system, policy, ids, program, wasm }) =>
      party(system, policy, {
        identity: ids[0]!,
        sources: { wasm },
        steps: [
          { op: 'program', path: program, source: 'wasm' },
          { op: 'compute', program },
        ],
      }),
  ),
  refusal(
    'a key that does not match its certificate',
    'ERR_SIGNATURE_INVALID',
    ({ system, policy, ids, stranger }) =>
      party(system, policy, { identity: hybrid(ids[0]!, stranger), steps: [{ op: 'shutdown' }] }),
  ),
  refusal(
    'a certificate not in the policy',
    'ERR_UNKNOWN_PARTICIPANT',
    ({ system, policy, ids, stranger }) =>
      party(system, policy, { identity: hybrid(stranger, ids[0]!), steps: [{ op: 'shutdown' }] }),
  ),
  refusal(
    'a certificate and key pair not in the policy',
    'ERR_UNKNOWN_PARTICIPANT',
    ({ system, policy, stranger }) =>
      party(system, policy, { identity: stranger, steps: [{ op: 'shutdown' }] }),
  ),
];

export const computations: readonly Scenario[] = [
  randomSource(),
  linearRegression(2),
  linearRegression(3),
  linearRegression(4),
  twoInputs(
    'intersection sum with data provided in reversed order',
    'intersection-set-sum',
    'reversed',
  ),
  twoInputs('string edit distance, data provided in parallel', 'string-edit-distance', 'parallel'),
  pipeline(),
  numberStream(),
];

export const allScenarios: readonly Scenario[] = [...computations, ...refusals];
