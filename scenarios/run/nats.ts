// Actors in this process, talking over NATS: the system (actors/system/system.ts) on a NATS bus, each actor
// on its own connection as separate processes would be, participants on this process's connection.
// One server or a cluster's servers, with credentials, TLS and a namespace as given; the journal is
// recorded by a subscriber on the namespace, or read back from the (replicated) JetStream stream
// when one is asked for.
import { startSystem, natsBus } from '../../actors/index.js';
import type { NatsAuth, NatsConnectionSettings } from '../../transport/index.js';
import { journalToFile } from '../journal-file.js';
import type { Environment } from './environment.js';
import { endComputation, runTurnInProcess } from './in-process-turn.js';

export interface NatsEnvironmentOptions {
  /** One server or a cluster's servers. */
  readonly url: string | readonly string[];
  /** Credentials, TLS and namespace of every connection. */
  readonly settings?: Omit<NatsConnectionSettings, 'servers'>;
  /** Each actor's own credentials, by connection name (natsBus's `authFor`). */
  readonly authFor?: (name: string) => NatsAuth | undefined;
  readonly journalFile?: string;
  readonly hosts?: number;
  /** Journal into the namespace's JetStream stream with this many replicas (a cluster: 3). */
  readonly jetstreamReplicas?: number;
  /** `process`: every enclave worker its own OS process (default: in this process). */
  readonly workers?: 'in-process' | 'process';
  /**
   * Per-attempt request timeout of participants (default 60 s). Requests are retried with the same
   * signed bytes, so a shorter one recovers sooner from a request lost with a failed NATS node.
   */
  readonly requestTimeoutMs?: number;
}

export async function natsEnvironment(options: NatsEnvironmentOptions): Promise<Environment> {
  const bus = await natsBus({
    servers: options.url,
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.authFor ? { authFor: options.authFor } : {}),
    journal:
      options.jetstreamReplicas !== undefined
        ? { kind: 'jetstream', replicas: options.jetstreamReplicas }
        : options.journalFile
          ? { kind: 'recorder' }
          : { kind: 'none' },
  });
  // The runner watches the bus on a connection of its own (a watcher's, docs/nats-permissions.md).
  const watch = await bus.connect('vc-watch');
  const system = await startSystem({
    bus,
    hosts: options.hosts ?? 1,
    ...(options.workers ? { workers: options.workers } : {}),
  });
  return {
    mode: 'nats',
    trust: { caCertificatePem: system.ca.certificatePem, measurements: [system.measurement] },
    bus: watch,
    launch: async (run) => {
      const launched = await system.launch(run.policy);
      return { host: launched.host, worker: launched.worker };
    },
    runTurn: (run, turn) =>
      runTurnInProcess(system.bus, run, turn, {
        ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}),
      }),
    end: (run) => endComputation(system, run.computation),
    journal: (run) => journalToFile(options.journalFile, () => system.journal(), run.computation),
    stop: () => system.stop(),
  };
}
