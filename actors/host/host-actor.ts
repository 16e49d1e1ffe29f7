// A host (Veracruz's vc-server side, untrusted): serves launch requests in the hosts' queue group,
// each launch a host machine whose `do.spawn` effect starts an enclave worker (in-process in the
// embedded mode, a child process on NATS: see spawners.ts). It never sees plaintext.
import { randomBytes } from 'node:crypto';
import { hostMachine, type HostOutput } from '../../machines/index.js';
import {
  toVcError,
  ProtocolError,
  HOSTS_LAUNCH_SUBJECT,
  HOSTS_QUEUE_GROUP,
  eventsSubject,
  traceSubject,
  policyHash,
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
import { Mailbox } from '../runtime/mailbox.js';
import { TracedActor, unhandledOutput } from '../runtime/traced-actor.js';

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

export type Spawner = (request: SpawnRequest) => Promise<SpawnedWorker>;

export interface HostOptions {
  readonly bus: Transport;
  readonly host?: string;
  readonly spawn: Spawner;
  readonly clock?: () => Date;
  readonly trace?: boolean;
  /** Operator log: a line per launch served and per state change. */
  readonly log?: OperatorLog;
}

export interface Host {
  readonly host: string;
  readonly workers: ReadonlyMap<string, SpawnedWorker>;
  readonly launches: readonly TracedActor<typeof hostMachine>[];
  stop(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<Host> {
  const clock = options.clock ?? (() => new Date());
  const host = options.host ?? `host-${randomBytes(4).toString('hex')}`;
  const endpoint = await Endpoint.withFreshKey(options.bus, () => clock().getTime(), options.log);
  const workers = new Map<string, SpawnedWorker>();
  const launches: TracedActor<typeof hostMachine>[] = [];
  const subscriptions: Unsubscribe[] = [];

  async function handle(m: Inbound): Promise<Outbound> {
    if (m.kind !== 'host.launch')
      throw new ProtocolError('ERR_BAD_MESSAGE', `${m.kind} is not a launch request`);
    const launch = m.body;
    const mailbox = new Mailbox<Outbound>();
    const ref = `${m.from}#${m.seq}`;
    const actor: TracedActor<typeof hostMachine> = new TracedActor({
      actor: 'host',
      machineId: 'host',
      machine: hostMachine,
      input: { host },
      ...(options.log ? { log: options.log } : {}),
      onOutput: (o) => effect(o),
      onTrace: (record) => {
        if (options.trace === false) return;
        void endpoint
          .publish(
            traceSubject(launch.computation, 'host'),
            launch.computation,
            'trace.transition',
            record,
          )
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
            void spawned.exited.then((exitCode) => {
              workers.delete(spawned.worker);
              actor.send({ type: 'io.exited', exitCode });
            });
            actor.send({ type: 'io.spawned', worker: spawned.worker });
          } catch (error) {
            actor.send({ type: 'io.spawn.failed', failure: toVcError(error).toWire() });
          }
          return;
        case 'out.reply':
          return mailbox.settle(o.ref, o);
        case 'out.publish':
          return endpoint.publish(
            eventsSubject(launch.computation),
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
    // The host only watches the announcement (it cannot and need not check it).
    const watch = endpoint.subscribe(
      eventsSubject(launch.computation),
      keyFromSenderId,
      (event) => {
        if (event.kind === 'enclave.ready')
          actor.send({ type: 'enclave.ready', session: event.body.session });
      },
    );
    subscriptions.push(watch);
    // Stop watching once this launch has ended (a long-running host serves many launches).
    void actor
      .waitFor((snapshot) => snapshot.status === 'done')
      .then(() => {
        watch();
        subscriptions.splice(subscriptions.indexOf(watch), 1);
      });
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

  subscriptions.push(
    endpoint.serve(
      HOSTS_LAUNCH_SUBJECT,
      { keys: keyFromSenderId, queue: HOSTS_QUEUE_GROUP },
      handle,
    ),
  );
  return {
    host,
    workers,
    launches,
    stop: async () => {
      for (const unsubscribe of subscriptions.splice(0)) unsubscribe();
      const stopping = [...workers.values()];
      for (const worker of stopping) worker.stop();
      // Drained only when the workers are gone (a worker process takes its private folder with it).
      await Promise.allSettled(stopping.map((worker) => worker.exited));
    },
  };
}
