// Scenarios written outside the repository (docs/writing-a-scenario.md): the published schema is
// the code's, files are refused with ERR_SCENARIO_FILE_INVALID when they break it or name what is
// not there, and a scenario written in a temporary folder (a YAML file, its TypeScript module and
// its own program, using only the schema and the SDK) runs embedded, over NATS and as processes,
// checked and reported like the catalog's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { startNatsServer, type NatsServer } from '../../transport/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { isolateTmpdir } from '../../test-support/leftovers.js';
import { shutdownWorkers } from '../../enclave/index.js';
import { resolveScenario } from '../catalog.js';
import { prepareRun } from '../prepare.js';
import { runScenario } from '../run-scenario.js';
import { embeddedEnvironment } from '../run/embedded.js';
import { natsEnvironment } from '../run/nats.js';
import { prepareIn } from '../run/open.js';
import { processesEnvironment } from '../run/processes.js';
import type { Environment } from '../run/environment.js';
import { scaffoldScenario } from './scaffold.js';
import { scenarioFileSchema } from './schema.js';
import { loadScenarioFile } from './load.js';

isolateTmpdir();

const root = fileURLToPath(new URL('../../', import.meta.url));
const committedSchema = JSON.parse(
  readFileSync(join(root, 'docs', 'scenario.schema.json'), 'utf8'),
) as object;
const SDK = join(root, 'sdk', 'index.ts');

/** A user's poll, written as a user would: YAML, a TypeScript module, their own program file. */
function writePoll(dir: string): string {
  copyFileSync(
    join(root, 'sdk', 'examples', 'private-poll', 'private-poll.wasm'),
    join(dir, 'poll.wasm'),
  );
  const voters = ['voter-a', 'voter-b', 'voter-c', 'voter-d', 'voter-e'];
  const yaml = [
    `# yaml-language-server: $schema=${join(root, 'docs', 'scenario.schema.json')}`,
    'name: tea-or-coffee',
    'title: Tea or coffee (a user-written poll)',
    'summary: Five colleagues vote; only options with at least two votes are published.',
    'module: ./poll.ts',
    'parties:',
    '  - name: pollster',
    '    role: provides the program and the threshold, runs the tally',
    "    capabilities: ['/program/:wx', '/input/poll-threshold.dat:w', '/output/:r']",
    ...voters.flatMap((v) => [`  - name: ${v}`, `    capabilities: ['/input/votes/${v}:w']`]),
    'programs:',
    '  - path: /program/poll.wasm',
    '    file: ./poll.wasm',
    "    capabilities: ['/input/:r', '/output/:w']",
    'sources:',
    '  pollster:',
    '    wasm: { program: /program/poll.wasm }',
    '    threshold: { text: "2\\n" }',
    '  voter-a: { ballot: { text: "tea\\n" } }',
    '  voter-b: { ballot: { text: "tea\\n" } }',
    '  voter-c: { ballot: { hex: "636f666665650a" } }',
    '  voter-d: { ballot: { file: ./ballot-d.txt } }',
    'rounds:',
    '  - - party: pollster',
    '      steps:',
    '        - { op: program, path: /program/poll.wasm, source: wasm }',
    '        - { op: data, path: /input/poll-threshold.dat, source: threshold }',
    ...voters.flatMap((v) => [
      `    - party: ${v}`,
      `      steps: [{ op: data, path: /input/votes/${v}, source: ballot, mode: write }]`,
    ]),
    '  - - party: pollster',
    '      steps:',
    '        - { op: compute, program: /program/poll.wasm }',
    '        - { op: result, path: /output/poll.dat, destination: tally }',
    '        - { op: shutdown }',
    'expect:',
    '  - { party: pollster, result: tally, text: "coffee,2\\ntea,3\\n" }',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'ballot-d.txt'), 'tea\n');
  writeFileSync(join(dir, 'poll.yaml'), yaml);
  // voter-e's ballot comes from the module (what a file cannot say: computed from the seed).
  writeFileSync(
    join(dir, 'poll.ts'),
    `import type { ScenarioModule } from '${SDK}';
import { createRng, fromUtf8 } from '${SDK}';

const poll: ScenarioModule = {
  sources: ({ seed }) => ({
    'voter-e': { ballot: new TextEncoder().encode(createRng(seed).below(1) === 0 ? 'coffee\\n' : 'tea\\n') },
  }),
  decode: (_party, label, bytes) =>
    label === 'tally'
      ? Object.fromEntries(fromUtf8(bytes).trim().split('\\n').map((row) => {
          const [option, count] = row.split(',');
          return [option, Number(count)];
        }))
      : undefined,
  check(results, context) {
    const tally = fromUtf8(results.get('pollster')?.get('tally') ?? new Uint8Array());
    const ballots = [...context.sources].filter(([party]) => party.startsWith('voter-')).length;
    return { ok: tally.includes('tea,3'), headline: 'tea wins: ' + tally.trim(), details: [ballots + ' ballots'] };
  },
};
export default poll;
`,
  );
  return join(dir, 'poll.yaml');
}

describe('scenario files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-scenario-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('docs/scenario.schema.json is the schema of the code (npm run build:scenario-schema)', () => {
    assert.deepEqual(committedSchema, scenarioFileSchema());
  });

  test('the scaffold and the poll validate against the published schema (ajv)', () => {
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(committedSchema);
    const own = mkdtempSync(join(dir, 'scaffold-'));
    for (const [name, text] of Object.entries(scaffoldScenario('my-study')))
      writeFileSync(join(own, name), text);
    for (const file of [join(own, 'my-study.yaml'), writePoll(mkdtempSync(join(dir, 'p-')))]) {
      assert.ok(validate(parseYaml(readFileSync(file, 'utf8'))), JSON.stringify(validate.errors));
    }
    const broken = parseYaml(readFileSync(join(own, 'my-study.yaml'), 'utf8')) as {
      rounds: { steps: object[] }[][];
    };
    broken.rounds[0]![0]!.steps.push({ op: 'delete', path: '/input/x' });
    assert.equal(validate(broken), false, 'an unknown step is refused by the schema');
  });

  describe('refusals: ERR_SCENARIO_FILE_INVALID, never a crash', () => {
    const base = (): Record<string, unknown> =>
      parseYaml(scaffoldScenario('refused')['refused.yaml']!) as Record<string, unknown>;
    const cases: [string, (s: Record<string, unknown>) => unknown, RegExp][] = [
      ['an unknown key', (s) => ({ ...s, extra: 1 }), /\$\.extra is not allowed/],
      ['a name that is not kebab-case', (s) => ({ ...s, name: 'Bad Name' }), /\$\.name/],
      [
        'an unknown step',
        (s) => ({ ...s, rounds: [[{ party: 'analyst', steps: [{ op: 'rm' }] }]] }),
        /rounds/,
      ],
      [
        'a round naming no party',
        (s) => ({ ...s, rounds: [[{ party: 'stranger', steps: [{ op: 'shutdown' }] }]] }),
        /stranger is no party/,
      ],
      [
        'a step using a source its party does not have',
        (s) => ({
          ...s,
          rounds: [
            [{ party: 'analyst', steps: [{ op: 'data', path: '/input/x', source: 'nope' }] }],
          ],
          expect: [],
        }),
        /analyst has no source "nope"/,
      ],
      [
        'an expectation of a result nobody reads',
        (s) => ({ ...s, expect: [{ party: 'analyst', result: 'other', text: 'x' }] }),
        /never reads a result into "other"/,
      ],
      [
        'a program file that is not there',
        (s) => ({
          ...s,
          programs: [
            { path: '/program/linear-regression.wasm', file: './missing.wasm', capabilities: [] },
          ],
        }),
        /cannot read \.\/missing\.wasm: ENOENT/,
      ],
      [
        'a module that is not there',
        (s) => ({ ...s, module: './missing.ts' }),
        /cannot load its module/,
      ],
      [
        'nothing to check the results',
        (s) => {
          const { module: _m, expect: _e, ...rest } = s;
          return rest;
        },
        /nothing checks the results/,
      ],
      [
        'an unknown example',
        (s) => ({
          ...s,
          programs: [
            { path: '/program/linear-regression.wasm', example: 'nope', capabilities: [] },
          ],
        }),
        /no example "nope"/,
      ],
    ];
    for (const [what, change, message] of cases)
      test(what, async () => {
        const file = join(dir, `${what.replace(/\W+/g, '-')}.json`);
        writeFileSync(file, JSON.stringify(change(base())));
        writeFileSync(join(dir, 'refused.ts'), scaffoldScenario('refused')['refused.ts']!);
        await assert.rejects(
          async () => (await loadScenarioFile(file)).plan(1),
          (error: { code?: string; message?: string }) =>
            error.code === 'ERR_SCENARIO_FILE_INVALID' && message.test(error.message ?? ''),
        );
      });
    test('a file that is neither YAML nor there', async () => {
      writeFileSync(join(dir, 'bad.yaml'), 'name: [unclosed\n');
      for (const file of [join(dir, 'bad.yaml'), join(dir, 'absent.yaml')])
        await assert.rejects(resolveScenario(file), { code: 'ERR_SCENARIO_FILE_INVALID' });
      await assert.rejects(resolveScenario('no-such-scenario'), { code: 'ERR_SCENARIO_UNKNOWN' });
    });
  });

  describe('a scenario written in a temporary folder runs in every mode', () => {
    let poll: string;
    before(() => (poll = writePoll(mkdtempSync(join(dir, 'user-')))));
    after(() => shutdownWorkers());

    async function runIn(env: Environment, processes = false) {
      const scenario = await resolveScenario(poll);
      const run = processes
        ? await prepareIn(env, scenario, 4)
        : await prepareRun(scenario, env.trust, { seed: 4 });
      return runScenario(run, env);
    }

    function assertPassed(report: Awaited<ReturnType<typeof runScenario>>, mode: string): void {
      assert.equal(report.failure, undefined, JSON.stringify(report.failure));
      assert.equal(report.ok, true, report.verdict.details.join('\n'));
      assert.equal(report.mode, mode);
      assert.equal(report.scenario, 'tea-or-coffee');
      assert.match(report.verdict.headline, /^tea wins: coffee,2\ntea,3$/);
      assert.deepEqual(report.results['pollster']?.['tally']?.value, { coffee: 2, tea: 3 });
      assert.ok(report.journal, 'a journal was written');
    }

    test('embedded', async () => {
      const env = await embeddedEnvironment({ journalFile: join(dir, 'embedded.vcj') });
      try {
        assertPassed(await runIn(env), 'embedded');
      } finally {
        await env.stop();
      }
    });

    describe('over NATS', () => {
      let server: NatsServer | undefined;
      before(async () => {
        if (hasBinary('nats-server')) server = await startNatsServer();
      });
      after(() => server?.stop());

      test('--nats', async (t) => {
        if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
        const env = await natsEnvironment({ url: server!.url, journalFile: join(dir, 'nats.vcj') });
        try {
          assertPassed(await runIn(env), 'nats');
        } finally {
          await env.stop();
        }
      });

      test('--processes (vc scenario prepare FILE in its own process)', async (t) => {
        if (!requireResource(t, 'nats-server binary', hasBinary('nats-server'))) return;
        const env = await processesEnvironment({
          nats: { servers: [server!.url], namespace: 'vc' },
          workDir: join(dir, 'processes'),
          journalFile: join(dir, 'processes.vcj'),
        });
        try {
          assertPassed(await runIn(env, true), 'processes');
        } finally {
          await env.stop();
        }
      });
    });
  });
});
