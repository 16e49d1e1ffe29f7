// A host (Veracruz's vc-server side, untrusted): serves launch requests in the hosts' queue group,
// each launch a host machine whose `do.spawn` effect starts an enclave worker (in-process in the
// embedded mode, a child process on NATS: see spawners.ts). It never sees plaintext.
import { randomBytes } from 'node:crypto';
import { hostMachine } from '../machines/index.js';
import { toVcError } from '../protocol/errors.js';
import type { HostLaunchBody } from '../protocol/messages/bodies.js';
import {
  HOSTS_LAUNCH_SUBJECT,
  HOSTS_QUEUE_GROUP,
  eventsSubject,
  traceSubject,
} from '../protocol/messages/subjects.js';
import { policyHash } from '../protocol/policy/parse-policy.js';
import { Endpoint, type Inbound, type Outbound } from './bus/endpoint.js';
import type { Transport, Unsubscribe } from './bus/endpoint.js';
import { keyFromSenderId, keySenderId } from './bus/sender-ids.js';
import { Mailbox } from './mailbox.js';
import { TracedActor } from './traced-actor.js';

export interface SpawnRequest {
  readonly policyBytes: Uint8Array;
  readonly computation: string;
  readonly platform: string;
}

export interface SpawnedWorker {
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
  const pair = await globalThis.crypto.subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign', 'verify'],
  );
  const endpoint = new Endpoint(
    options.bus,
    { id: await keySenderId(pair.publicKey as never), key: pair.privateKey as never },
    () => clock().getTime(),
  );
  const workers = new Map<string, SpawnedWorker>();
  const launches: TracedActor<typeof hostMachine>[] = [];
  const subscriptions: Unsubscribe[] = [];

  async function handle(m: Inbound): Promise<Outbound> {
    const body = m.body as HostLaunchBody;
    const launch = body;
    // The host is untrusted and only relays: the enclave validates the policy, the host needs its hash.
    const loaded = { hash: policyHash(body.policy) };
    const mailbox = new Mailbox<Outbound>();
    const ref = `${m.from}#${m.seq}`;
    let spawned: SpawnedWorker | undefined;
    const actor: TracedActor<typeof hostMachine> = new TracedActor({
      actor: 'host',
      machineId: 'host',
      machine: hostMachine,
      input: { host },
      onOutput: async (o) => {
        if (o.type === 'do.spawn') {
          try {
            spawned = await options.spawn({
              policyBytes: body.policy,
              computation: body.computation,
              platform: body.platform,
            });
            workers.set(spawned.worker, spawned);
            void spawned.exited.then((exitCode) => {
              workers.delete(spawned!.worker);
              const readyBefore = actor.snapshot().value === 'serving';
              actor.send({ type: 'io.exited', exitCode });
              if (exitCode !== 0 && !readyBefore) {
                // Tell whoever waits for this enclave that it will not come (the launcher stops waiting).
                const body = {
                  session: 'none',
                  reason: `ERR_LAUNCH_FAILED: worker exited with ${exitCode}`,
                };
                void endpoint
                  .publish(
                    eventsSubject(launch.computation),
                    launch.computation,
                    'enclave.shutdown',
                    body,
                  )
                  .catch(() => undefined);
              }
            });
            actor.send({ type: 'io.spawned', worker: spawned.worker });
          } catch (error) {
            actor.send({ type: 'io.spawn.failed', failure: toVcError(error).toWire() });
          }
        }
        if (o.type === 'out.reply')
          mailbox.settle(o.ref as string, { kind: o.kind as string, body: o.body });
      },
      onTrace: (record) => {
        if (options.trace === false) return;
        void endpoint
          .publish(
            traceSubject(body.computation, 'host'),
            body.computation,
            'trace.transition',
            record,
          )
          .catch(() => undefined);
      },
    });
    launches.push(actor);
    actor.start();
    // The host only watches the announcement (it cannot and need not check it).
    const watch = endpoint.subscribe(eventsSubject(body.computation), keyFromSenderId, (event) => {
      if (event.kind === 'enclave.ready')
        actor.send({ type: 'enclave.ready', session: (event.body as { session: string }).session });
    });
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
          computation: body.computation,
          platform: body.platform,
          policyHash: loaded.hash,
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
      for (const worker of workers.values()) worker.stop();
    },
  };
}
