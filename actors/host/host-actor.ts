// A host (Veracruz's vc-server side, untrusted): serves launch requests in the hosts' queue group,
// each launch a host machine whose `do.spawn` effect starts an enclave worker (in-process in the
// embedded mode, a child process on NATS: see spawners.ts). It never sees plaintext.
// It holds the registry entry of every computation it launched (actors/registry/) and is its only
// writer: the entry follows what the host sees (worker spawned, `enclave.ready`, the enclave's
// trace), heartbeats every few seconds, and ends in a final state announced as `computation.ended`.
// It ends a worker at once when the enclave's attestation was refused, when the launch is not ready
// by the launcher's deadline, when the computation is idle past its deadline, and on an operator's
// `host.stop`; `stop()` ends every worker it holds, and the spare workers its spawner keeps.
// Before anything is created it refuses a launch not signed by a participant of the policy or an
// operator key it trusts (ERR_LAUNCH_NOT_AUTHORIZED, actors/runtime/launch-authority.ts), a stale
// request (ERR_REPLAY), and any launch beyond its `maxEnclaves` (ERR_HOST_BUSY).
import { randomBytes } from 'node:crypto';
import { availableParallelism, freemem } from 'node:os';
import { hostMachine, type HostOutput } from '../../machines/index.js';
import {
  toVcError,
  parsePolicy,
  ProtocolError,
  policyHash,
  type HostLaunchBody,
} from '../../protocol/index.js';
import {
  Endpoint,
  type Inbound,
  type Outbound,
  type Transport,
  type Unsubscribe,
} from '../runtime/endpoint.js';
import type { OperatorLog } from '../runtime/log.js';
import { keyFromSenderId } from '../runtime/sender-ids.js';
import { policyParticipants } from '../runtime/policy-keys.js';
import { authorizeLaunch, launchKeyLookup, refuseLaunch } from '../runtime/launch-authority.js';
import { Mailbox } from '../runtime/mailbox.js';
import { TracedActor, unhandledOutput } from '../runtime/traced-actor.js';
import {
  DEFAULT_HEARTBEAT_MS,
  type ComputationFailure,
  type ComputationRegistry,
  type ComputationState,
  type FinalState,
  type RegistryEntry,
  shutdownReasonCode,
} from '../registry/computation-registry.js';

interface SpawnRequest {
  readonly policyBytes: Uint8Array;
  readonly computation: string;
  readonly platform: string;
}

interface SpawnedWorker {
  readonly worker: string;
  /** Resolves with the worker's exit code. */
  readonly exited: Promise<number>;
  stop(): void;
}

export interface Spawner {
  (request: SpawnRequest): Promise<SpawnedWorker>;
  /** Ends what the spawner keeps ahead of launches (spare worker processes); the host's stop calls it. */
  close?: () => Promise<void>;
}

const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_LAUNCH_DEADLINE_MS = 60_000;
/** How long a worker's exit may take to be explained by its `enclave.shutdown` (the event travels the bus). */
const REFUSAL_GRACE_MS = 500;
/**
 * A launch request signed longer ago than this (or this far in the future) is refused as a replay:
 * within it the idempotency cache answers a resent envelope with its first reply, and the registry
 * refuses a second launch of a running computation.
 */
const LAUNCH_FRESHNESS_MS = 10 * 60_000;
/** The memory one enclave is reckoned to need when the machine's default bound is computed. */
const ENCLAVE_MEMORY_BYTES = 256 * 2 ** 20;

/** The default `--max-enclaves`: two per core, as many as free memory holds at 256 MiB each. */
export function defaultMaxEnclaves(): number {
  return Math.max(
    1,
    Math.min(availableParallelism() * 2, Math.floor(freemem() / ENCLAVE_MEMORY_BYTES)),
  );
}

export interface HostOptions {
  readonly bus: Transport;
  readonly host?: string;
  readonly spawn: Spawner;
  /** Where this host records the computations it holds (shared by every host of the bus). */
  readonly registry: ComputationRegistry;
  readonly clock?: () => Date;
  readonly trace?: boolean;
  /** Heartbeat of held entries, and how often deadlines are checked (default 2 s). */
  readonly heartbeatMs?: number;
  /** A computation without enclave activity this long is ended, ERR_IDLE_TIMEOUT (default 30 min). */
  readonly idleTimeoutMs?: number;
  /** Deadline of a launch whose request carries none (default 60 s). */
  readonly launchDeadlineMs?: number;
  /** Operator log: a line per launch served and per state change. */
  readonly log?: OperatorLog;
  /**
   * Operators' `k:` sender ids allowed to launch any policy (`vc host --launcher-keys`); a
   * participant of the launched policy may always launch it. Anyone else: ERR_LAUNCH_NOT_AUTHORIZED.
   */
  readonly launcherIds?: readonly string[];
  /** Computations held at once; beyond, ERR_HOST_BUSY (default: defaultMaxEnclaves()). */
  readonly maxEnclaves?: number;
}

export interface Host {
  readonly host: string;
  readonly maxEnclaves: number;
  readonly workers: ReadonlyMap<string, SpawnedWorker>;
  readonly launches: readonly TracedActor<typeof hostMachine>[];
  stop(): Promise<void>;
}

/** One computation this host holds. */
interface Held {
  readonly computation: string;
  readonly entry: RegistryEntry;
  worker: SpawnedWorker | undefined;
  ready: boolean;
  ended: boolean;
  /** The code of the enclave's `enclave.shutdown` before it was ready (a refused attestation). */
  refusal: ComputationFailure | undefined;
  /** The ready enclave announced its shutdown (by its policy's rule): an exit after it is `finished`. */
  shutDown: boolean;
  lastActivity: number;
  /** The policy's `enclave_cert_expiry` (ms since the epoch): a hard deadline. */
  readonly expiresAt: number | undefined;
  readonly launchDeadline: number;
  readonly unsubscribe: Unsubscribe[];
}

const ORDER: readonly ComputationState[] = ['launching', 'attested', 'provisioning', 'running'];

export async function startHost(options: HostOptions): Promise<Host> {
  const clock = options.clock ?? (() => new Date());
  const host = options.host ?? `host-${randomBytes(4).toString('hex')}`;
  const subjects = options.bus.subjects;
  const registry = options.registry;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const endpoint = await Endpoint.withFreshKey(options.bus, () => clock().getTime(), options.log);
  const workers = new Map<string, SpawnedWorker>();
  const launches: TracedActor<typeof hostMachine>[] = [];
  const subscriptions: Unsubscribe[] = [];
  const held = new Map<string, Held>();
  const now = () => clock().getTime();
  const operators = new Set(options.launcherIds ?? []);
  const maxEnclaves = options.maxEnclaves ?? defaultMaxEnclaves();
  /** Launches admitted but not yet in `held` (their registry claim is under way). */
  let admitting = 0;

  /** Ends a held computation once: its worker, its entry's final state, `computation.ended`. */
  async function end(h: Held, state: FinalState, failure?: ComputationFailure): Promise<void> {
    if (h.ended) return;
    h.ended = true;
    held.delete(h.computation);
    for (const unsubscribe of h.unsubscribe.splice(0)) unsubscribe();
    h.worker?.stop();
    // False when somebody else took the entry over (marked it lost): it is theirs to announce.
    const owned = await h.entry.set({ state, ...(failure ? { failure } : {}) }).catch(() => false);
    if (!owned) return;
    await endpoint
      .publish(subjects.events(h.computation), h.computation, 'computation.ended', {
        computation: h.computation,
        state,
        host,
        worker: h.entry.record.worker,
        message: failure?.message ?? 'the computation finished',
        ...(failure ? { code: failure.code } : {}),
      })
      .catch(() => undefined);
  }

  function advance(h: Held, state: ComputationState): void {
    if (h.ended || ORDER.indexOf(state) <= ORDER.indexOf(h.entry.record.state)) return;
    void h.entry.set({ state }).catch(() => undefined);
  }

  function onExit(h: Held, exitCode: number): void {
    if (h.ended) return;
    // Only an enclave that shut down by its policy's rule has finished: a worker that exits without
    // that announcement (killed, crashed, stopped by someone else) is lost, whatever its exit code.
    // The announcement (or a refusal's reason) travels the bus: give it a moment to land.
    const settle = () => {
      if (h.shutDown && exitCode === 0) return void end(h, 'finished');
      const failure: ComputationFailure = h.refusal ?? {
        code: h.ready ? 'ERR_ENCLAVE_LOST' : 'ERR_LAUNCH_FAILED',
        message: `the enclave worker ${h.entry.record.worker} exited with ${exitCode}${h.ready ? ' before its computation was shut down' : ''}`,
      };
      void end(h, 'failed', failure);
    };
    if (h.shutDown) settle();
    else setTimeout(settle, REFUSAL_GRACE_MS).unref();
  }

  function watch(h: Held): void {
    h.unsubscribe.push(
      endpoint.subscribe(subjects.events(h.computation), keyFromSenderId, (event) => {
        if (event.kind === 'enclave.ready' && !h.ready) {
          h.ready = true;
          h.lastActivity = now();
          advance(h, 'attested');
        }
        if (event.kind === 'enclave.shutdown' && h.ready) h.shutDown = true;
        if (event.kind === 'enclave.shutdown' && !h.ready && !h.ended) {
          // A refused attestation: the worker will never be ready, so it is ended at once.
          h.refusal = {
            code: shutdownReasonCode(event.body.reason),
            message: `the enclave stopped before it was ready: ${event.body.reason}`,
          };
          void end(h, 'failed', h.refusal);
        }
      }),
      endpoint.subscribe(subjects.trace(h.computation, 'enclave'), keyFromSenderId, (m) => {
        if (m.kind !== 'trace.batch') return;
        h.lastActivity = now();
        // One batch may hold both: the registry takes the furthest state it shows.
        const types = new Set(m.body.records.map((record) => String(record.event['type'])));
        if (types.has('compute.request')) advance(h, 'running');
        else if (types.has('provision.program') || types.has('provision.data'))
          advance(h, 'provisioning');
      }),
    );
  }

  /** Heartbeats and deadlines of every held computation. */
  async function tick(): Promise<void> {
    const time = now();
    for (const h of [...held.values()]) {
      if (!h.ready && time > h.launchDeadline) {
        await end(h, 'failed', {
          code: 'ERR_LAUNCHER_GONE',
          message: `the enclave was not ready by the launch deadline; the launch was abandoned`,
        });
      } else if (h.expiresAt !== undefined && time > h.expiresAt) {
        await end(h, 'failed', {
          code: 'ERR_IDLE_TIMEOUT',
          message: `the policy's enclave_cert_expiry (${new Date(h.expiresAt).toISOString()}) passed`,
        });
      } else if (h.ready && time - h.lastActivity > idleTimeoutMs) {
        await end(h, 'failed', {
          code: 'ERR_IDLE_TIMEOUT',
          message: `no enclave activity for ${Math.round((time - h.lastActivity) / 1000)} s`,
        });
      } else if (!(await h.entry.heartbeat().catch(() => true)) && !h.entry.owned) {
        // Somebody marked the entry lost or replaced it: this host holds it no more.
        h.ended = true;
        held.delete(h.computation);
        for (const unsubscribe of h.unsubscribe.splice(0)) unsubscribe();
        h.worker?.stop();
      }
    }
  }
  let ticking = false;
  const ticker = setInterval(() => {
    if (ticking) return;
    ticking = true;
    void tick().finally(() => (ticking = false));
  }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);

  /** Creates the registry entry (refused while the computation runs elsewhere) and watches it. */
  async function hold(launch: HostLaunchBody): Promise<Held> {
    let participants: string[] = [];
    let expiresAt: number | undefined;
    try {
      const loaded = parsePolicy(launch.policy, { now: clock() });
      participants = [...(await policyParticipants(loaded.policy)).keys()];
      expiresAt = loaded.policy.enclaveCertExpiry.getTime();
    } catch {
      // The enclave refuses a bad policy with the reason; the entry records the failure then.
    }
    const entry = await registry.claim({
      computation: launch.computation,
      host,
      worker: 'none',
      policyHash: policyHash(launch.policy),
      platform: launch.platform,
      participants,
    });
    const h: Held = {
      computation: launch.computation,
      entry,
      worker: undefined,
      ready: false,
      ended: false,
      refusal: undefined,
      shutDown: false,
      lastActivity: now(),
      expiresAt,
      launchDeadline:
        now() + (launch.deadlineMs ?? options.launchDeadlineMs ?? DEFAULT_LAUNCH_DEADLINE_MS),
      unsubscribe: [],
    };
    held.set(h.computation, h);
    watch(h);
    return h;
  }

  async function handle(m: Inbound): Promise<Outbound> {
    if (m.kind !== 'host.launch')
      throw new ProtocolError('ERR_BAD_MESSAGE', `${m.kind} is not a launch request`);
    const launch = m.body;
    // Refusals before anything is created: no registry entry, no worker.
    await authorizeLaunch(m.from, launch.policy, operators, clock());
    if (Math.abs(now() - m.ts) > LAUNCH_FRESHNESS_MS)
      throw new ProtocolError('ERR_REPLAY', 'the launch request is too old (or from the future)', {
        details: { from: m.from, seq: m.seq },
      });
    if (held.size + admitting >= maxEnclaves)
      throw new ProtocolError(
        'ERR_HOST_BUSY',
        `host ${host} holds ${maxEnclaves} enclaves already`,
        {
          details: { host, maxEnclaves },
        },
      );
    admitting++;
    let h: Held;
    try {
      h = await hold(launch);
    } finally {
      admitting--;
    }
    const mailbox = new Mailbox<Outbound>();
    const ref = `${m.from}#${m.seq}`;
    const actor: TracedActor<typeof hostMachine> = new TracedActor({
      actor: 'host',
      machineId: 'host',
      machine: hostMachine,
      input: { host },
      ...(options.log ? { log: options.log } : {}),
      onOutput: (o) => effect(o),
      onTrace: (records) => {
        if (options.trace === false) return;
        void endpoint
          .publish(subjects.trace(launch.computation, 'host'), launch.computation, 'trace.batch', {
            records,
          })
          .catch(() => undefined);
      },
    });

    async function effect(o: HostOutput): Promise<void> {
      switch (o.type) {
        case 'do.spawn':
          try {
            const spawned = await options.spawn({
              policyBytes: launch.policy,
              computation: o.computation,
              platform: o.platform,
            });
            workers.set(spawned.worker, spawned);
            h.worker = spawned;
            void spawned.exited.then((exitCode) => {
              workers.delete(spawned.worker);
              onExit(h, exitCode);
              actor.send({ type: 'io.exited', exitCode });
            });
            // Ended meanwhile (stopped, or the host is stopping): the new worker goes at once.
            if (h.ended) spawned.stop();
            else await h.entry.set({ worker: spawned.worker });
            actor.send({ type: 'io.spawned', worker: spawned.worker });
          } catch (error) {
            const failure = toVcError(error).toWire();
            void end(h, 'failed', { code: 'ERR_LAUNCH_FAILED', message: failure.message });
            actor.send({ type: 'io.spawn.failed', failure });
          }
          return;
        case 'out.reply':
          return mailbox.settle(o.ref, o);
        case 'out.publish':
          return endpoint.publish(
            subjects.events(launch.computation),
            launch.computation,
            o.kind,
            o.body,
          );
        default:
          return unhandledOutput(o);
      }
    }

    launches.push(actor);
    actor.start();
    return mailbox.run(
      ref,
      () =>
        actor.send({
          type: 'host.launch',
          ref,
          computation: launch.computation,
          platform: launch.platform,
          // The host is untrusted and only relays: the enclave validates the policy, the host needs its hash.
          policyHash: policyHash(launch.policy),
        }),
      () => actor.done,
    );
  }

  /** `host.stop` (an operator, or a launcher that refused the enclave) ends a computation held here. */
  async function control(m: Inbound): Promise<Outbound> {
    if (m.kind !== 'host.stop')
      throw new ProtocolError('ERR_BAD_MESSAGE', `${m.kind} is not a host control request`);
    const h = held.get(m.body.computation);
    if (!h)
      throw new ProtocolError(
        'ERR_COMPUTATION_UNKNOWN',
        `host ${host} holds no computation ${m.body.computation}`,
        { details: { computation: m.body.computation, host } },
      );
    const refused = m.body.failure;
    if (refused) {
      // The launcher's check refused the enclave: it must not keep running.
      await end(h, 'failed', refused);
      return { kind: 'host.stopped', body: { computation: h.computation, state: 'failed' } };
    }
    await end(h, 'stopped', {
      code: 'ERR_COMPUTATION_STOPPED',
      message: `an operator stopped the computation on host ${host}`,
    });
    return { kind: 'host.stopped', body: { computation: h.computation, state: 'stopped' } };
  }

  subscriptions.push(
    endpoint.serve(
      subjects.hostsLaunch,
      { keys: launchKeyLookup(operators, clock), queue: subjects.hostsQueue, refuse: refuseLaunch },
      handle,
    ),
    endpoint.serve(subjects.hostControl(host), { keys: keyFromSenderId }, control),
  );
  // "Is any host serving?": answered at once, so a launcher with no host fails in milliseconds.
  const live = options.bus.subscribe(
    subjects.hostsLive,
    (msg) => void msg.respond(new Uint8Array()),
    {
      queue: subjects.hostsQueue,
    },
  );
  subscriptions.push(() => live.unsubscribe());
  return {
    host,
    maxEnclaves,
    workers,
    launches,
    stop: async () => {
      clearInterval(ticker);
      for (const unsubscribe of subscriptions.splice(0)) unsubscribe();
      await Promise.all(
        [...held.values()].map((h) =>
          end(h, 'stopped', {
            code: 'ERR_COMPUTATION_STOPPED',
            message: `host ${host} stopped`,
          }),
        ),
      );
      const stopping = [...workers.values()];
      for (const worker of stopping) worker.stop();
      // Trace records still batched leave with the last replies.
      for (const launch of launches) launch.flushTrace();
      await endpoint.flush().catch(() => undefined);
      // Drained only when the workers are gone (a worker process takes its private folder with it).
      await Promise.allSettled([
        ...stopping.map((worker) => worker.exited),
        options.spawn.close?.(),
      ]);
    },
  };
}
