// A running system, assembled in one place for every mode: the verifier service (its CA, the sim
// platform key endorsed at it, this installation's runtime measurement as reference value), hosts
// in the queue group, and the enclave workers they start. The modes differ only in the bus and
// journal they pass (system-bus.ts): the embedded default the in-memory bus, NATS one server, a
// cluster several servers and a replicated JetStream journal; scenarios/run/ wraps this for
// `vc scenario run`. `vc host` and `vc verifier` run the same pieces one per process.
// `startSystem()` first (its CA and measurement go into policies), then `launch(policy)`.
import { randomBytes, webcrypto } from 'node:crypto';
import { join } from 'node:path';
import {
  createVerifierCa,
  type NewCa,
  Verifier,
  type VerifierConfig,
} from '../../attestation/index.js';
import {
  createSimAttester,
  measureRuntime,
  generateSimAttestationKey,
} from '../../enclave/index.js';
import { ProtocolError, type LoadedPolicy } from '../../protocol/index.js';
import {
  MemoryStore,
  privateTempDir,
  type JournalRecord,
  type StateStore,
} from '../../transport/index.js';
import type { Signer, Transport } from '../runtime/endpoint.js';
import { keySenderId } from '../runtime/sender-ids.js';
import type { EnclaveWorker } from '../enclave-worker/enclave-actor.js';
import { startHost, type Host, type HostOptions } from '../host/host-actor.js';
import { ComputationRegistry } from '../registry/computation-registry.js';
import { launchComputation, type Launched } from '../participant/launcher.js';
import { inProcessSpawner, processSpawner } from '../host/spawners.js';
import type { SystemBus } from './system-bus.js';
import { startVerifierService, type VerifierService } from '../verifier/verifier-actor.js';

export interface SystemOptions {
  /** The bus and its journal (memoryBus() or natsBus(...)); the system closes it on stop. */
  readonly bus: SystemBus;
  /** Number of hosts in the queue group (default 1). */
  readonly hosts?: number;
  /**
   * `in-process` (default): enclave workers run in this process on their host's connection;
   * `process`: each is its own OS process (NATS only), given the sim platform key in a file.
   */
  readonly workers?: 'in-process' | 'process';
  readonly clock?: () => Date;
  /** Publish traces (default true). */
  readonly trace?: boolean;
  readonly verifierConfig?: Partial<VerifierConfig>;
  /**
   * Tests only: the verifier core issues enclave certificates with this CA while its replies are
   * still signed with the policies' CA (a wrong chain, as a compromised verifier would present).
   */
  readonly rogueIssuer?: NewCa;
  /**
   * Tests only: worker processes run this runtime bundle (e.g. a modified runtime), and the
   * verifier also takes its measurement as a reference value, so that only the policies' runtime
   * hashes keep participants from it. `measurement` stays this checkout's.
   */
  readonly runtimeBundle?: string;
  /** With `workers: 'process'`: worker processes each host keeps started ahead (default 1). */
  readonly spares?: number;
  /** With `workers: 'process'`: told of each launch, whether a spare served it. */
  readonly onWorkerLaunch?: (event: { readonly worker: string; readonly spare: boolean }) => void;
  /**
   * Where the computation registry lives (default: a MemoryStore of this system, shared by its
   * hosts); pass a KvStore on bucket `vc_computations` to share it with `vc computations`.
   */
  readonly computations?: StateStore;
  /** More operators' `k:` ids the hosts trust for launches, beside this system's own operator key. */
  readonly launcherIds?: readonly string[];
  /** Registry and deadline timings of the hosts (tests shorten them). */
  readonly lifecycle?: Pick<
    HostOptions,
    'heartbeatMs' | 'idleTimeoutMs' | 'launchDeadlineMs' | 'maxEnclaves'
  > & {
    readonly staleAfterMs?: number;
  };
}

export interface System {
  /** This process's connection (the launcher and in-process participants use it). */
  readonly bus: Transport;
  readonly ca: NewCa;
  readonly measurement: string;
  readonly hosts: readonly Host[];
  /** The computation registry the hosts write (its entries, for `list`/`show` and tests). */
  readonly computations: ComputationRegistry;
  /** With `workers: 'process'`: the sim platform key file, endorsed at this system's verifier (a `vc host --sim-key`). */
  readonly simKeyFile: string | undefined;
  /** The verifier service (tests stop it to see launches fail with ERR_VERIFIER_UNAVAILABLE). */
  readonly verifierService: VerifierService;
  /** The operator key this system's hosts trust for launches (`system.launch` signs with it). */
  readonly operator: Signer;
  /** Enclave workers started in this process so far, by worker id. */
  readonly workers: ReadonlyMap<string, EnclaveWorker>;
  launch(
    policy: LoadedPolicy,
    /** `signer`: who signs the launch request (default: this system's operator key). */
    options?: { timeoutMs?: number; verify?: boolean; signer?: Signer },
  ): Promise<Launched>;
  /** The journal so far, in order; optionally one computation's. */
  journal(computation?: string): Promise<JournalRecord[]>;
  stop(): Promise<void>;
}

/** Enclaves each host of a system holds at once unless `lifecycle.maxEnclaves` says otherwise. */
const SYSTEM_MAX_ENCLAVES = 64;

export async function startSystem(options: SystemOptions): Promise<System> {
  const clock = options.clock ?? (() => new Date());
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const trace = options.trace === undefined ? {} : { trace: options.trace };
  const nats = options.bus.nats;
  if (options.workers === 'process' && nats === undefined)
    throw new ProtocolError(
      'ERR_LAUNCH_FAILED',
      'enclave worker processes need a NATS bus to connect to',
    );
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
  // Worker processes read the sim platform key from a private file, as `vc host --sim-key` hands it.
  const keyDir = options.workers === 'process' ? privateTempDir('vc-system-') : undefined;
  const simKeyFile = keyDir && join(keyDir.path, 'sim-platform-key.pem');
  const simKey = await generateSimAttestationKey(simKeyFile);
  await verifier.registry.addKey('sim', simKey.publicKeyPem, 'this system platform key');
  const { measurement } = await measureRuntime();
  await verifier.registry.addReference('sim', measurement, 'measurement', 'this installation');
  if (options.runtimeBundle !== undefined) {
    const other = await measureRuntime({ bundle: options.runtimeBundle });
    await verifier.registry.addReference('sim', other.measurement, 'measurement', 'test runtime');
  }
  const service = startVerifierService({
    bus: await options.bus.connect('vc-verifier'),
    verifier,
    ca,
    clock,
    ...trace,
  });
  const attester = await createSimAttester(simKey);
  const workers = new Map<string, EnclaveWorker>();
  const { staleAfterMs, ...timings } = options.lifecycle ?? {};
  const computations = new ComputationRegistry({
    store: options.computations ?? new MemoryStore(),
    clock,
    ...(staleAfterMs === undefined ? {} : { staleAfterMs }),
  });
  // This system's operator: its hosts trust this key's launches, as `vc host --launcher-keys`.
  const operatorPair = await webcrypto.subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign', 'verify'],
  );
  const operator: Signer = {
    id: await keySenderId(operatorPair.publicKey),
    key: operatorPair.privateKey,
  };
  const hosts: Host[] = [];
  for (let i = 0; i < (options.hosts ?? 1); i++) {
    const bus = await options.bus.connect(`vc-host-${i}`);
    const spawn =
      nats !== undefined && simKeyFile !== undefined
        ? processSpawner({
            nats,
            simKeyFile,
            ...(options.runtimeBundle === undefined
              ? {}
              : { runtimeBundle: options.runtimeBundle }),
            ...(options.spares === undefined ? {} : { spares: options.spares }),
            ...(options.onWorkerLaunch ? { onLaunch: options.onWorkerLaunch } : {}),
          })
        : inProcessSpawner({
            bus,
            // on NATS each enclave worker has a connection of its own, as a worker process would
            ...(nats === undefined ? {} : { connect: () => options.bus.connect('vc-enclave') }),
            attester,
            measurement,
            clock,
            workers,
            ...trace,
          });
    hosts.push(
      await startHost({
        bus,
        spawn,
        clock,
        host: `host-${i}`,
        registry: computations,
        launcherIds: [operator.id, ...(options.launcherIds ?? [])],
        // A system is this process's own test or scenario run, not a host exposed to a bus of
        // strangers: it is not bounded by the machine's free memory unless asked (lifecycle).
        maxEnclaves: SYSTEM_MAX_ENCLAVES,
        ...timings,
        ...trace,
      }),
    );
  }
  await options.bus.flush();
  const bus = options.bus.main;
  return {
    bus,
    ca,
    measurement,
    hosts,
    computations,
    verifierService: service,
    simKeyFile,
    workers,
    operator,
    launch: (policy, launchOptions = {}) =>
      launchComputation({ bus, policy, clock, signer: operator, ...launchOptions }),
    journal: (computation) => options.bus.journal(computation),
    stop: async () => {
      for (const host of hosts) await host.stop();
      service.stop();
      await options.bus.close();
      keyDir?.remove();
    },
  };
}
