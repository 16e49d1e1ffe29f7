// Every scenario, in the order `vc scenario list` shows them. The flagship is what `npm start` runs.
import type { Scenario } from './scenario.js';
import { delegatedInference } from './use-cases/delegated-inference.js';
import { intersectionSum } from './use-cases/intersection-sum.js';
import { linearRegression } from './use-cases/linear-regression.js';
import { numberStream } from './use-cases/number-stream.js';
import { pipelineSort } from './use-cases/pipeline-sort.js';
import { privatePoll } from './use-cases/private-poll.js';
import { psiHospitals } from './use-cases/psi-hospitals.js';
import { sealedBidAuction } from './use-cases/sealed-bid-auction.js';
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
  delegatedInference,
];

export const FLAGSHIP = 'sealed-bid-auction';

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name);
}
