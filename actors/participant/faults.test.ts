// Faults while a participant waits for its enclave (issue 14, item 5): the enclave worker stops
// (ERR_ENCLAVE_LOST within seconds, not after minutes of timeouts), the host announces
// `computation.ended` (that event's code at once), the nats-server restarts (the participant sends
// its pending request again and completes). And the two ways "no enclave" is told: ERR_NO_ENCLAVE,
// or ERR_POLICY_HASH_MISMATCH when the registry lookup finds this identity's enclave on another
// policy.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Step } from '../../machines/index.js';
import {
  computationIdFor,
  type GeneratedIdentity,
  type LoadedPolicy,
  subjectsFor,
} from '../../protocol/index.js';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import {
  natsServerBinary,
  readEnvelopeHeaderUnverified,
  startNatsServer,
  type NatsServer,
} from '../../transport/index.js';
import { Endpoint } from '../runtime/endpoint.js';
import { memoryBus, natsBus } from '../system/system-bus.js';
import { startSystem, type System } from '../system/system.js';
import { runParticipant, type ParticipantResult } from './participant-actor.js';

/** The default namespace's subjects. */
const S = subjectsFor();

/** Seconds, not the minutes of 60 s timeouts times three attempts. */
const BOUND_MS = 15_000;
const LOOP = '/program/loop.wasm';
const PROGRAM = '/program/p.wasm';
// A guest that never ends by itself (stopped at the policy's execution budget): a compute step
// that keeps the participant waiting. Read as a file: it is a build product, not a module.
const loopWasm = new Uint8Array(
  readFileSync(new URL('../../enclave/guests/loop.wasm', import.meta.url)),
);

type BusKind = 'memory' | 'nats';

async function withSystem(
  t: TestContext,
  kind: BusKind,
  body: (system: System, server: NatsServer | undefined) => Promise<void>,
): Promise<void> {
  if (kind === 'nats' && !requireResource(t, 'nats-server binary', hasBinary(natsServerBinary)))
    return;
  const server = kind === 'nats' ? await startNatsServer() : undefined;
  const system = await startSystem({
    bus: server
      ? await natsBus({ servers: server.url, journal: { kind: 'jetstream' } })
      : memoryBus(),
  });
  try {
    await body(system, server);
  } finally {
    await system.stop();
    await server?.stop();
  }
}

function loopPolicy(system: System, owner: GeneratedIdentity): LoadedPolicy {
  return policyFor(system, {
    participants: [{ identity: owner, capabilities: ['/program/:wx', '/output/:r'] }],
    programs: [{ path: LOOP, bytes: loopWasm, capabilities: [] }],
    extensions: { executionTimeoutMs: 8000 },
  });
}

const loopSteps: Step[] = [
  { op: 'program', path: LOOP, source: 'loop' },
  { op: 'compute', program: LOOP },
];

/** Calls `onRequest` once, when the participant's first request of `kind` reaches the bus. */
function onFirst(system: System, computation: string, kind: string, onRequest: () => void): void {
  let seen = false;
  const sub = system.bus.subscribe(S.enclave(computation), (msg) => {
    if (seen || readEnvelopeHeaderUnverified(msg.data).kind !== kind) return;
    seen = true;
    sub.unsubscribe();
    onRequest();
  });
}

async function participate(
  system: System,
  policy: LoadedPolicy,
  owner: GeneratedIdentity,
  steps: readonly Step[],
  sources: Record<string, Uint8Array>,
  extra: Partial<Parameters<typeof runParticipant>[0]> = {},
): Promise<{ result: ParticipantResult; ms: number; results: Map<string, Uint8Array> }> {
  const started = Date.now();
  const results = new Map<string, Uint8Array>();
  const result = await runParticipant({
    bus: system.bus,
    policy,
    identity: owner,
    steps,
    readSource: async (label) => sources[label]!,
    writeResult: async (label, bytes) => void results.set(label, bytes),
    ...extra,
  });
  return { result, ms: Date.now() - started, results };
}

for (const kind of ['memory', 'nats'] as const) {
  test(`${kind}: the enclave worker stops while a participant waits: ERR_ENCLAVE_LOST within seconds`, async (t) => {
    await withSystem(t, kind, async (system) => {
      const [owner] = (await identities(1)) as [GeneratedIdentity];
      const policy = loopPolicy(system, owner);
      const launched = await system.launch(policy);
      const worker = system.workers.get(launched.worker)!;
      onFirst(system, launched.computation, 'compute.request', () => worker.stop());
      const { result, ms } = await participate(system, policy, owner, loopSteps, {
        loop: loopWasm,
      });
      assert.equal(result.state, 'failed');
      assert.equal(result.failure?.code, 'ERR_ENCLAVE_LOST', JSON.stringify(result.failure));
      assert.ok(ms < BOUND_MS, `took ${ms} ms`);
    });
  });
}

test('computation.ended announced while a participant waits: the step fails with its code at once', async (t) => {
  await withSystem(t, 'nats', async (system) => {
    const [owner] = (await identities(1)) as [GeneratedIdentity];
    const policy = loopPolicy(system, owner);
    const launched = await system.launch(policy);
    const host = await Endpoint.withFreshKey(system.bus, Date.now);
    onFirst(system, launched.computation, 'compute.request', () => {
      void host.publish(S.events(launched.computation), launched.computation, 'computation.ended', {
        computation: launched.computation,
        state: 'stopped',
        host: launched.host,
        worker: launched.worker,
        message: 'stopped by an operator',
        code: 'ERR_COMPUTATION_STOPPED',
      });
    });
    const { result, ms } = await participate(system, policy, owner, loopSteps, {
      loop: loopWasm,
    });
    assert.equal(result.failure?.code, 'ERR_COMPUTATION_STOPPED', JSON.stringify(result.failure));
    assert.ok(ms < BOUND_MS, `took ${ms} ms`);
    // The worker still loops until its budget: stopped here so that the system stops at once.
    system.workers.get(launched.worker)?.stop();
  });
});

test('nats-server restarted mid-computation: the participant sends again and completes', async (t) => {
  await withSystem(t, 'nats', async (system, server) => {
    const [owner] = (await identities(1)) as [GeneratedIdentity];
    const policy = policyFor(system, {
      participants: [{ identity: owner, capabilities: ['/program/:wx', '/output/:r'] }],
      programs: [{ path: PROGRAM, bytes: wasmOf('random-source'), capabilities: ['/output/:w'] }],
    });
    await system.launch(policy);
    const computation = computationIdFor(policy.hash);
    const statuses: string[] = [];
    void (async () => {
      for await (const e of system.bus.status()) statuses.push(e.type);
    })();
    let restarted: Promise<void> | undefined;
    onFirst(system, computation, 'compute.request', () => {
      restarted = (async () => {
        await server!.kill();
        await sleep(500);
        await server!.restart();
      })();
    });
    const steps: Step[] = [
      { op: 'program', path: PROGRAM, source: 'p' },
      { op: 'compute', program: PROGRAM },
      { op: 'result', path: '/output/random.dat', destination: 'out' },
    ];
    const { result, ms, results } = await participate(system, policy, owner, steps, {
      p: wasmOf('random-source'),
    });
    await restarted;
    assert.ok(restarted, 'the server was restarted during the computation');
    assert.equal(result.state, 'done', JSON.stringify(result.failure));
    assert.ok((results.get('out')?.length ?? 0) > 0);
    assert.ok(ms < BOUND_MS, `took ${ms} ms`);
    assert.ok(statuses.includes('reconnected'), statuses.join());
  });
});

test('no enclave: ERR_NO_ENCLAVE, or ERR_POLICY_HASH_MISMATCH when the lookup finds another policy', async (t) => {
  await withSystem(t, 'memory', async (system) => {
    const [owner] = (await identities(1)) as [GeneratedIdentity];
    const running = loopPolicy(system, owner);
    const launched = await system.launch(running);
    // One byte different: another hash, hence another computation id with no enclave.
    const mine = policyFor(system, {
      participants: [{ identity: owner, capabilities: ['/program/:wx', '/output/:rw'] }],
      programs: [{ path: LOOP, bytes: loopWasm, capabilities: [] }],
    });
    assert.notEqual(computationIdFor(mine.hash), launched.computation);
    const steps: Step[] = [{ op: 'shutdown' }];

    const alone = await participate(system, mine, owner, steps, {});
    assert.equal(alone.result.failure?.code, 'ERR_NO_ENCLAVE');
    assert.ok(alone.ms < BOUND_MS);

    const asked: string[] = [];
    const found = await participate(
      system,
      mine,
      owner,
      steps,
      {},
      {
        findComputationsNaming: async (sender) => {
          asked.push(sender);
          return [{ computation: launched.computation, policyHash: running.hash }];
        },
      },
    );
    assert.equal(found.result.failure?.code, 'ERR_POLICY_HASH_MISMATCH');
    assert.match(found.result.failure?.message ?? '', new RegExp(mine.hash));
    assert.match(found.result.failure?.message ?? '', new RegExp(running.hash));
    assert.deepEqual(found.result.failure?.details, {
      computation: launched.computation,
      policyHash: mine.hash,
      enclavePolicyHash: running.hash,
    });
    assert.equal(asked.length, 1);

    const none = await participate(
      system,
      mine,
      owner,
      steps,
      {},
      {
        findComputationsNaming: async () => [],
      },
    );
    assert.equal(none.result.failure?.code, 'ERR_NO_ENCLAVE');
  });
});
