// The embedded environment: the system (actors/system/system.ts) on the in-memory bus: verifier, host and
// enclave workers in this process; participants run in this process too. The journal is the
// system's in-memory record, written to a file when asked for.
import { startSystem, memoryBus } from '../../actors/index.js';
import { journalToFile } from '../journal-file.js';
import type { Environment } from './environment.js';
import { endComputation, runTurnInProcess } from './in-process-turn.js';

export interface EmbeddedEnvironmentOptions {
  /** Where to write the journal (default: none). */
  readonly journalFile?: string;
  readonly hosts?: number;
}

export async function embeddedEnvironment(
  options: EmbeddedEnvironmentOptions = {},
): Promise<Environment> {
  const system = await startSystem({ bus: memoryBus(), hosts: options.hosts ?? 1 });
  return {
    mode: 'embedded',
    trust: { caCertificatePem: system.ca.certificatePem, measurements: [system.measurement] },
    bus: system.bus,
    launch: async (run) => {
      const launched = await system.launch(run.policy);
      return { host: launched.host, worker: launched.worker };
    },
    runTurn: (run, turn) => runTurnInProcess(system.bus, run, turn),
    end: (run) => endComputation(system, run.computation),
    journal: (run) => journalToFile(options.journalFile, () => system.journal(), run.computation),
    stop: () => system.stop(),
  };
}
