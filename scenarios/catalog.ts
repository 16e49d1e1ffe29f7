// Every scenario, in the order `vc scenario list` shows them. The flagship is what `npm start` runs.
import { ScenarioError } from './errors.js';
import type { Scenario } from './scenario.js';
import { collaborativeTraining } from './use-cases/collaborative-training.js';
import { delegatedInference } from './use-cases/delegated-inference.js';
import { intersectionSum } from './use-cases/intersection-sum.js';
import { linearRegression } from './use-cases/linear-regression.js';
import { numberStream } from './use-cases/number-stream.js';
import { pipelineSort } from './use-cases/pipeline-sort.js';
import { privatePoll } from './use-cases/private-poll.js';
import { psiHospitals } from './use-cases/psi-hospitals.js';
import { sealedBidAuction } from './use-cases/sealed-bid-auction.js';
import { secretElection } from './use-cases/secret-election.js';
import { shamir } from './use-cases/shamir.js';

export const scenarios: readonly Scenario[] = [
  sealedBidAuction,
  shamir,
  linearRegression,
  psiHospitals,
  intersectionSum,
  privatePoll,
  numberStream,
  pipelineSort,
  secretElection,
  collaborativeTraining,
  delegatedInference,
];

export const FLAGSHIP = 'sealed-bid-auction';

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name);
}

/**
 * The catalog's scenario called `nameOrFile`, or else the scenario file at that path (a name ending
 * in .yaml, .yml or .json, or holding a `/`; docs/writing-a-scenario.md), read and checked.
 */
export async function resolveScenario(nameOrFile: string): Promise<Scenario> {
  const found = findScenario(nameOrFile);
  if (found) return found;
  if (/\.(ya?ml|json)$/i.test(nameOrFile) || nameOrFile.includes('/')) {
    const { loadScenarioFile } = await import('./file/load.js');
    return loadScenarioFile(nameOrFile);
  }
  throw new ScenarioError(
    'ERR_SCENARIO_UNKNOWN',
    `no scenario "${nameOrFile}"; see vc scenario list, or give a scenario file (NAME.yaml)`,
    { details: { known: scenarios.map((s) => s.name) } },
  );
}
