// Picks the environment a run asked for: embedded by default, `--nats URL` for actors in this
// process over a NATS server, `--processes` for every actor as its own OS process over NATS.
import { shownServers } from '../../transport/index.js';
import { prepareRun, type PreparedRun } from '../prepare.js';
import type { Scenario } from '../scenario.js';
import { embeddedEnvironment } from './embedded.js';
import type { Environment, EnvironmentChoice } from './environment.js';

export async function openEnvironment(choice: EnvironmentChoice): Promise<Environment> {
  if (choice.processes) {
    const { processesEnvironment } = await import('./processes.js');
    return processesEnvironment(choice);
  }
  if (choice.nats) {
    const { natsEnvironment } = await import('./nats.js');
    const { servers, ...settings } = choice.nats;
    return natsEnvironment({
      url: servers,
      settings,
      ...(choice.replicas === undefined ? {} : { jetstreamReplicas: choice.replicas }),
      ...(choice.journalFile ? { journalFile: choice.journalFile } : {}),
    });
  }
  return embeddedEnvironment(choice.journalFile ? { journalFile: choice.journalFile } : {});
}

export function modeDescription(env: Environment, choice: EnvironmentChoice): string {
  if (env.mode === 'embedded')
    return 'embedded (every actor in this process, in-memory bus, no servers)';
  const at = choice.nats && shownServers(choice.nats.servers);
  if (env.mode === 'nats')
    return `over NATS at ${at} (namespace ${choice.nats?.namespace ?? 'vc'}; actors in this process)`;
  return `processes (verifier, host, enclave workers and each participant as its own OS process, NATS at ${at ?? 'a private nats-server'})`;
}

/** The run, prepared by the environment itself or in memory with its trust. */
export function prepareIn(
  env: Environment,
  scenario: Scenario,
  seed: number,
): Promise<PreparedRun> {
  return env.prepare ? env.prepare(scenario, seed) : prepareRun(scenario, env.trust, { seed });
}
