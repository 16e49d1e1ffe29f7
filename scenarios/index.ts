// The public face of scenarios/: what other folders may import from it (docs/architecture.md).
export { FLAGSHIP, findScenario, resolveScenario, scenarios } from './catalog.js';
export { scaffoldScenario } from './file/scaffold.js';
export { scenarioFileSchema } from './file/schema.js';
export { layoutOf } from './deploy/layout.js';
export { prepareDirectory } from './deploy/prepare-dir.js';
export { header, narrator, summary } from './narrate.js';
export { percentile } from './percentile.js';
export { prepareRun } from './prepare.js';
export { reportJson, runScenario } from './run-scenario.js';
export type { ScenarioReport } from './run-scenario.js';
export type { Measurement } from './scenario.js';
export { embeddedEnvironment } from './run/embedded.js';
export { modeDescription, openEnvironment, prepareIn } from './run/open.js';
