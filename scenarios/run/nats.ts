// Actors in this process, talking over a NATS server: the same parts the embedded system is made of
// (verifier CA and service, sim platform key endorsed at the verifier, this installation's
// measurement as reference value, hosts in the queue group with in-process enclave workers), bound
// to a NatsTransport instead of the in-memory bus. The journal is recorded by a subscriber on `vc.>`.
// Adapter: the protocol offers startEmbedded() for the in-memory bus only (see the report's wishes).
import { randomBytes } from 'node:crypto';
import { inProcessSpawner } from '../../actors/embedded.js';
import { startHost, type Host } from '../../actors/host-actor.js';
import { launchComputation } from '../../actors/launcher.js';
import { startVerifierService } from '../../actors/verifier-actor.js';
import { createVerifierCa } from '../../attestation/ca/ca-identity.js';
import { MemoryStore } from '../../attestation/store/memory-store.js';
import { Verifier } from '../../attestation/verifier/verifier.js';
import { createSimAttester } from '../../enclave/evidence/attester.js';
import { measureRuntime } from '../../enclave/evidence/measurement.js';
import { generateSimAttestationKey } from '../../enclave/evidence/sim-attestation-key.js';
import { ensureJournalStream } from '../../transport/journal/jetstream-journal.js';
import { NatsTransport } from '../../transport/nats-transport.js';
import { writeJournalFile, type JournalLine } from '../journal-file.js';
import type { Environment } from './environment.js';
import { runTurnInProcess } from './in-process-turn.js';

export interface NatsEnvironmentOptions {
  /** One server or a cluster's servers. */
  readonly url: string | readonly string[];
  readonly journalFile?: string;
  readonly hosts?: number;
  /** Also journal into the JetStream stream over `vc.>` with this many replicas (a cluster: 3). */
  readonly jetstreamReplicas?: number;
  /**
   * Per-attempt request timeout of participants (default 60 s). Requests are retried with the same
   * signed bytes, so a shorter one recovers sooner from a request lost with a failed NATS node.
   */
  readonly requestTimeoutMs?: number;
}

export async function natsEnvironment(options: NatsEnvironmentOptions): Promise<Environment> {
  const clock = () => new Date();
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const connect = (name: string) => NatsTransport.connect({ servers: options.url, name });
  const bus = await connect('vc-scenario');
  if (options.jetstreamReplicas !== undefined)
    await ensureJournalStream(bus.connection, { replicas: options.jetstreamReplicas });
  const journal: JournalLine[] = [];
  const recorder = bus.subscribe('vc.>', (msg) => {
    journal.push({ subject: msg.subject, data: msg.data, time: Date.now() });
  });
  const now = clock();
  const ca = await createVerifierCa({
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 365 * 86400_000),
    random,
  });
  const verifier = new Verifier({
    store: new MemoryStore(),
    ca,
    clock,
    random,
    config: { allowSimulation: true },
  });
  const simKey = await generateSimAttestationKey();
  await verifier.registry.addKey('sim', simKey.publicKeyPem, 'scenario platform key');
  const { measurement } = await measureRuntime();
  await verifier.registry.addReference('sim', measurement, 'measurement', 'this installation');
  // Each actor has its own connection, as separate processes would.
  const verifierBus = await connect('vc-verifier');
  const verifierService = startVerifierService({ bus: verifierBus, verifier, ca, clock });
  const attester = await createSimAttester(simKey);
  const hostBuses: NatsTransport[] = [];
  const hosts: Host[] = [];
  for (let i = 0; i < (options.hosts ?? 1); i++) {
    const hostBus = await connect(`vc-host-${i}`);
    hostBuses.push(hostBus);
    const spawn = inProcessSpawner({ bus: hostBus, attester, measurement, clock });
    hosts.push(await startHost({ bus: hostBus, spawn, clock, host: `host-${i}` }));
  }
  await Promise.all([bus.flush(), verifierBus.flush(), ...hostBuses.map((b) => b.flush())]);
  return {
    mode: 'nats',
    trust: { caCertificatePem: ca.certificatePem, measurements: [measurement] },
    bus,
    launch: async (run) => {
      const launched = await launchComputation({ bus, policy: run.policy, clock });
      return { host: launched.host, worker: launched.worker };
    },
    runTurn: (run, turn) =>
      runTurnInProcess(bus, run, turn, {
        ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}),
      }),
    journal: async (run) => {
      if (!options.journalFile) return undefined;
      await bus.flush();
      writeJournalFile(options.journalFile, journal);
      return {
        location: options.journalFile,
        replayCommand: `npx vc replay ${options.journalFile} --computation ${run.computation}`,
      };
    },
    stop: async () => {
      recorder.unsubscribe();
      for (const host of hosts) await host.stop();
      verifierService.stop();
      for (const b of [...hostBuses, verifierBus, bus]) await b.close();
    },
  };
}
