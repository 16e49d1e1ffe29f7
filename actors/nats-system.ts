// Verifier service and hosts on NATS in this process, enclave workers as separate OS processes
// (or in-process, for benchmarks of the protocol alone), and the JetStream journal over `vc.>`.
// `vc host` and `vc verifier` run the same pieces one per process; tests and benchmarks use this.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerifierCa, type NewCa } from '../attestation/ca/ca-identity.js';
import { MemoryStore } from '../attestation/store/memory-store.js';
import { Verifier } from '../attestation/verifier/verifier.js';
import { createSimAttester } from '../enclave/evidence/attester.js';
import { measureRuntime } from '../enclave/evidence/measurement.js';
import { generateSimAttestationKey } from '../enclave/evidence/sim-attestation-key.js';
import type { LoadedPolicy } from '../protocol/policy/types.js';
import {
  ensureJournalStream,
  JetStreamJournalReader,
} from '../transport/journal/jetstream-journal.js';
import type { JournalRecord } from '../transport/journal/record.js';
import { NatsTransport } from '../transport/nats-transport.js';
import { inProcessSpawner } from './embedded.js';
import { startHost, type Host } from './host-actor.js';
import { launchComputation, type Launched } from './launcher.js';
import { processSpawner } from './spawners.js';
import { startVerifierService } from './verifier-actor.js';

export interface NatsSystemOptions {
  readonly servers: string;
  readonly hosts?: number;
  /** `process` (default): each enclave worker is an OS process; `in-process`: a worker in this one. */
  readonly workers?: 'process' | 'in-process';
  readonly trace?: boolean;
}

export interface NatsSystem {
  /** This process's connection (participants and the launcher use it too). */
  readonly bus: NatsTransport;
  readonly ca: NewCa;
  readonly measurement: string;
  readonly hosts: readonly Host[];
  launch(
    policy: LoadedPolicy,
    options?: { timeoutMs?: number; verify?: boolean },
  ): Promise<Launched>;
  /** The JetStream journal, optionally one computation's records. */
  journal(computation?: string): Promise<JournalRecord[]>;
  stop(): Promise<void>;
}

export async function startNatsSystem(options: NatsSystemOptions): Promise<NatsSystem> {
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const dir = await mkdtemp(join(tmpdir(), 'vc-nats-system-'));
  const bus = await NatsTransport.connect({ servers: options.servers, name: 'vc-system' });
  await ensureJournalStream(bus.connection);
  const now = new Date();
  const ca = await createVerifierCa({
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 365 * 86400_000),
    random,
  });
  const verifier = new Verifier({
    store: new MemoryStore(),
    ca,
    clock: () => new Date(),
    random,
    config: { allowSimulation: true },
  });
  const simKeyFile = join(dir, 'sim-platform-key.pem');
  const simKey = await generateSimAttestationKey(simKeyFile);
  await verifier.registry.addKey('sim', simKey.publicKeyPem, 'test platform key');
  const { measurement } = await measureRuntime();
  await verifier.registry.addReference('sim', measurement, 'measurement', 'this installation');
  const trace = options.trace === undefined ? {} : { trace: options.trace };
  const service = startVerifierService({ bus, verifier, ca, ...trace });
  const spawn =
    options.workers === 'in-process'
      ? inProcessSpawner({ bus, attester: await createSimAttester(simKey), measurement, ...trace })
      : processSpawner({ natsUrl: options.servers, simKeyFile });
  const hosts: Host[] = [];
  const connections: NatsTransport[] = [];
  for (let i = 0; i < (options.hosts ?? 1); i++) {
    // Each host has its own connection, as separate host processes would.
    const connection = await NatsTransport.connect({
      servers: options.servers,
      name: `vc-host-${i}`,
    });
    connections.push(connection);
    hosts.push(await startHost({ bus: connection, spawn, host: `host-${i}`, ...trace }));
  }
  await bus.flush();
  for (const c of connections) await c.flush();
  return {
    bus,
    ca,
    measurement,
    hosts,
    launch: (policy, launchOptions = {}) => launchComputation({ bus, policy, ...launchOptions }),
    journal: async (computation) => {
      await bus.flush();
      const records: JournalRecord[] = [];
      for await (const r of new JetStreamJournalReader(bus.connection).records(
        computation ? { computation } : undefined,
      ))
        records.push(r);
      return records;
    },
    stop: async () => {
      for (const host of hosts) await host.stop();
      service.stop();
      for (const c of connections) await c.close().catch(() => undefined);
      await bus.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
