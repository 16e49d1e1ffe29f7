// The embedded default: verifier, host(s) and enclave workers in one process over the in-memory
// bus, with every message recorded in a journal. Program execution still happens in worker threads.
// `startEmbedded()` first (its CA and measurement go into policies), then `launch(policy)`.
import { randomBytes } from 'node:crypto';
import { createVerifierCa, type NewCa } from '../attestation/ca/ca-identity.js';
import { MemoryStore } from '../attestation/store/memory-store.js';
import { Verifier, type VerifierConfig } from '../attestation/verifier/verifier.js';
import { createSimAttester, type Attester } from '../enclave/evidence/attester.js';
import { measureRuntime } from '../enclave/evidence/measurement.js';
import {
  generateSimAttestationKey,
  type SimAttestationKey,
} from '../enclave/evidence/sim-attestation-key.js';
import type { LoadedPolicy } from '../protocol/policy/types.js';
import { MemoryTransport } from '../transport/memory-transport.js';
import { FileJournal } from '../transport/journal/file-journal.js';
import type { Transport } from './bus/endpoint.js';
import { startEnclaveWorker, type EnclaveWorker } from './enclave-actor.js';
import { startHost, type Host, type Spawner } from './host-actor.js';
import { launchComputation, type Launched } from './launcher.js';
import { startVerifierService } from './verifier-actor.js';

export interface JournalEntry {
  readonly index: number;
  readonly subject: string;
  readonly data: Uint8Array;
}

export interface EmbeddedOptions {
  readonly clock?: () => Date;
  /** Number of hosts in the queue group (default 1). */
  readonly hosts?: number;
  readonly verifierConfig?: Partial<VerifierConfig>;
  /** Publish traces (default true). */
  readonly trace?: boolean;
  /**
   * Tests only: the verifier core issues enclave certificates with this CA while its replies are
   * still signed with the policies' CA (a wrong chain, as a compromised verifier would present).
   */
  readonly rogueIssuer?: NewCa;
  /** Also append every message to this journal file (transport's hash-chained format; vc replay reads it). */
  readonly journalFile?: string;
}

export interface EmbeddedSystem {
  readonly bus: MemoryTransport;
  /** Every message published on the bus, in order (the protocol journal). */
  readonly journal: JournalEntry[];
  readonly ca: NewCa;
  readonly measurement: string;
  readonly simKey: SimAttestationKey;
  readonly verifier: Verifier;
  readonly hosts: readonly Host[];
  /** Enclave workers started so far, by worker id. */
  readonly workers: ReadonlyMap<string, EnclaveWorker>;
  launch(
    policy: LoadedPolicy,
    options?: { timeoutMs?: number; verify?: boolean },
  ): Promise<Launched>;
  stop(): Promise<void>;
}

/** A spawner that runs the enclave worker in this process (execution in worker threads). */
export function inProcessSpawner(params: {
  bus: Transport;
  attester: Attester;
  measurement: string;
  clock?: () => Date;
  trace?: boolean;
  workers?: Map<string, EnclaveWorker>;
}): Spawner {
  return async (request) => {
    const worker = startEnclaveWorker({
      bus: params.bus,
      policyBytes: request.policyBytes,
      computation: request.computation,
      attester: params.attester,
      measurement: params.measurement,
      ...(params.clock ? { clock: params.clock } : {}),
      ...(params.trace === undefined ? {} : { trace: params.trace }),
    });
    const id = `w-${randomBytes(4).toString('hex')}`;
    params.workers?.set(id, worker);
    return {
      worker: id,
      exited: worker.finished.then((outcome) => (outcome.failure ? 1 : 0)),
      stop: () => worker.stop(),
    };
  };
}

export async function startEmbedded(options: EmbeddedOptions = {}): Promise<EmbeddedSystem> {
  const clock = options.clock ?? (() => new Date());
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const journal: JournalEntry[] = [];
  // Everything under `vc.` (replies travel on `vc.inbox.*`), as the JetStream journal records it.
  const file = options.journalFile ? FileJournal.open(options.journalFile) : undefined;
  const fileTap = file?.tap();
  const bus = new MemoryTransport({
    tap: (subject, data, reply) => {
      if (subject.startsWith('vc.')) journal.push({ index: journal.length, subject, data });
      fileTap?.(subject, data, reply);
    },
  });
  const now = clock();
  const ca = await createVerifierCa({
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 365 * 86400_000),
    random,
  });
  const verifier = new Verifier({
    store: new MemoryStore(),
    ca: options.rogueIssuer ?? ca,
    clock,
    random,
    config: { allowSimulation: true, ...options.verifierConfig },
  });
  const simKey = await generateSimAttestationKey();
  await verifier.registry.addKey('sim', simKey.publicKeyPem, 'embedded platform key');
  const { measurement } = await measureRuntime();
  await verifier.registry.addReference('sim', measurement, 'measurement', 'this installation');
  const verifierService = startVerifierService({
    bus,
    verifier,
    ca,
    clock,
    ...(options.trace === undefined ? {} : { trace: options.trace }),
  });
  const attester = await createSimAttester(simKey);
  const workers = new Map<string, EnclaveWorker>();
  const spawn = inProcessSpawner({
    bus,
    attester,
    measurement,
    clock,
    workers,
    ...(options.trace === undefined ? {} : { trace: options.trace }),
  });
  const hosts: Host[] = [];
  for (let i = 0; i < (options.hosts ?? 1); i++) {
    hosts.push(
      await startHost({
        bus,
        spawn,
        clock,
        host: `host-${i}`,
        ...(options.trace === undefined ? {} : { trace: options.trace }),
      }),
    );
  }
  return {
    bus,
    journal,
    ca,
    measurement,
    simKey,
    verifier,
    hosts,
    workers,
    launch: (policy, launchOptions = {}) =>
      launchComputation({ bus, policy, clock, ...launchOptions }),
    stop: async () => {
      for (const host of hosts) await host.stop();
      verifierService.stop();
      await bus.close();
      file?.close();
    },
  };
}
