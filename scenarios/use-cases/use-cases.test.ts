// The rights the new use cases rely on, refused by the enclave: in collaborative-training no
// hospital reads another's rows or accuracy, nor writes another's rows; in secret-election no voter
// writes another's ballot or reads another's receipt. Each runs the scenario's first round (every
// party provisions), then the forbidden step, embedded, and expects ERR_ACCESS_DENIED for it.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Step } from '../../machines/index.js';
import { shutdownWorkers } from '../../enclave/index.js';
import { isolateTmpdir } from '../../test-support/leftovers.js';
import { findScenario } from '../catalog.js';
import { prepareRun } from '../prepare.js';
import { runScenario } from '../run-scenario.js';
import { embeddedEnvironment } from '../run/embedded.js';
import type { Environment } from '../run/environment.js';

isolateTmpdir();

interface Forbidden {
  readonly scenario: string;
  readonly what: string;
  /** Rounds of the scenario to play first. */
  readonly after: number;
  readonly party: string;
  readonly step: Step;
}

const forbidden: readonly Forbidden[] = [
  {
    scenario: 'collaborative-training',
    what: "a hospital reads another's training rows",
    after: 1,
    party: 'hospital-a',
    step: { op: 'result', path: '/input/train-hospital-b.dat', destination: 'stolen' },
  },
  {
    scenario: 'collaborative-training',
    what: "a hospital reads another's held-out accuracy",
    after: 2,
    party: 'hospital-c',
    step: { op: 'result', path: '/output/accuracy-hospital-a.dat', destination: 'stolen' },
  },
  {
    scenario: 'collaborative-training',
    what: "a hospital overwrites another's rows",
    after: 1,
    party: 'hospital-b',
    step: { op: 'data', path: '/input/train-hospital-c.dat', source: 'train', mode: 'write' },
  },
  {
    scenario: 'secret-election',
    what: "a voter writes another voter's ballot",
    after: 1,
    party: 'voter-1',
    step: { op: 'data', path: '/input/ballots/voter-2', source: 'ballot', mode: 'write' },
  },
  {
    scenario: 'secret-election',
    what: "a voter reads another voter's receipt",
    after: 2,
    party: 'mallory',
    step: { op: 'result', path: '/output/receipt-voter-1.json', destination: 'stolen' },
  },
  {
    scenario: 'secret-election',
    what: 'a voter reads the ballots',
    after: 1,
    party: 'voter-3',
    step: { op: 'result', path: '/input/ballots/voter-1', destination: 'stolen' },
  },
  {
    scenario: 'secret-election',
    what: 'a voter edits the list of eligible voters',
    after: 1,
    party: 'mallory',
    step: { op: 'data', path: '/input/election.txt', source: 'ballot', mode: 'write' },
  },
];

describe('the new use cases: forbidden steps are refused by the enclave', () => {
  let env: Environment;
  before(async () => (env = await embeddedEnvironment()));
  after(() => env.stop());
  afterEach(() => shutdownWorkers());

  for (const f of forbidden)
    test(`${f.scenario}: ${f.what}`, async () => {
      const run = await prepareRun(findScenario(f.scenario)!, env.trust, { seed: 2 });
      const rounds = [...run.plan.rounds.slice(0, f.after), [{ party: f.party, steps: [f.step] }]];
      const report = await runScenario({ ...run, plan: { ...run.plan, rounds } }, env);
      const outcome = report.rounds[f.after]?.outcomes[0];
      for (const round of report.rounds.slice(0, f.after))
        for (const o of round.outcomes) assert.equal(o.ok, true, `${o.party} before the step`);
      assert.equal(outcome?.ok, false, 'the forbidden step failed');
      assert.equal(outcome.failure?.code, 'ERR_ACCESS_DENIED', JSON.stringify(outcome.failure));
      assert.equal(outcome.results.size, 0, 'nothing was read');
    });
});
