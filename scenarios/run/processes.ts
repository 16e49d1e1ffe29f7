// Every actor its own OS process over NATS. Waits for the protocol's commands (vc verifier,
// vc host, vc launch, vc client); until they exist this mode refuses with ERR_SCENARIO_MODE.
import { ScenarioError } from '../errors.js';
import type { Environment } from './environment.js';
import type { EnvironmentChoice } from './open.js';

export async function processesEnvironment(_choice: EnvironmentChoice): Promise<Environment> {
  throw new ScenarioError(
    'ERR_SCENARIO_MODE',
    '--processes needs the vc verifier, vc host, vc launch and vc client commands',
  );
}
