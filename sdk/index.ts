// The public face of sdk/: what other folders may import from it (docs/architecture.md).
export { generateBids } from './components/sealed-bid-auction/generate.js';
export { auction } from './components/sealed-bid-auction/reference.js';
export { exampleNamed, pipelineNamed } from './examples/catalog.js';
export { partiesOf, rowsOf, score, train } from './examples/collaborative-training/reference.js';
export { ballotLine, electionFile } from './examples/secret-election/generate.js';
export { receiptProblem } from './examples/secret-election/receipt.js';
export type { ElectionReceipt } from './examples/secret-election/receipt.js';
export { createRng } from './examples/support/prng.js';
export { quickstartShares } from './examples/shamir-secret-sharing/generate.js';
export { f64Bytes, fromUtf8, readF64s } from './examples/support/types.js';
export type { Example, ExampleRun } from './examples/support/types.js';
export type {
  ModuleVerdict,
  PartyBytes,
  ScenarioContext,
  ScenarioModule,
} from './scenario-module.js';
