// The computation lifecycle as hosts own it (issue 14): one holder per computation, operator stop,
// refused and abandoned launches cleaned up, idle computations ended, fail-fast launches. Over a
// real nats-server with the registry in JetStream KV, and on the embedded bus where NATS adds
// nothing to what is checked.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { exampleNamed } from '../../sdk/index.js';
import {
  computationIdFor,
  isVcError,
  type BodyOf,
  type GeneratedIdentity,
  type LoadedPolicy,
  subjectsFor,
} from '../../protocol/index.js';
import {
  MemoryStore,
  MemoryTransport,
  natsServerBinary,
  startNatsServer,
  type NatsServer,
} from '../../transport/index.js';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { runParty } from '../participant/run-computation.js';
import { launchComputation } from '../participant/launcher.js';
import { Endpoint } from '../runtime/endpoint.js';
import { participantSigner } from '../runtime/launch-authority.js';
import { keyFromSenderId } from '../runtime/sender-ids.js';
import { memoryBus, natsBus } from '../system/system-bus.js';
import { startSystem, type System, type SystemOptions } from '../system/system.js';
import { ComputationRegistry, openNatsRegistry } from '../registry/computation-registry.js';
import { stopComputation } from '../registry/stop-computation.js';
import { startHost } from './host-actor.js';

/** The default namespace's subjects. */
const S = subjectsFor();

const example = exampleNamed('linear-regression');
const program = '/program/linear-regression.wasm';

function regressionPolicy(system: System, owner: GeneratedIdentity, measurement?: string) {
  return policyFor(system, {
    participants: [{ identity: owner, capabilities: ['/program/:wx', '/input/:w', '/output/:r'] }],
    programs: [
      {
        path: program,
        bytes: wasmOf('linear-regression'),
        capabilities: ['/input/:r', '/output/:w'],
      },
    ],
    ...(measurement ? { simMeasurements: [measurement] } : {}),
  });
}

/** The owner's whole run: program, data, compute, result, shutdown. */
function runOwner(system: System, policy: LoadedPolicy, owner: GeneratedIdentity) {
  const run = example.generate(3, 20);
  return runParty(
    { bus: system.bus, policy, timeoutMs: 60_000 },
    {
      identity: owner,
      steps: [
        { op: 'program', path: program, source: 'wasm' },
        { op: 'data', path: example.inputs[0]!, source: 'data', mode: 'write' },
        { op: 'compute', program },
        { op: 'result', path: example.outputs[0]!, destination: 'out' },
        { op: 'shutdown' },
      ],
      sources: { wasm: wasmOf('linear-regression'), data: [...run.files.values()][0]! },
    },
  );
}

/** Records the `computation.ended` events of a computation. */
async function endedEvents(system: System, computation: string) {
  const seen: BodyOf<'computation.ended'>[] = [];
  const endpoint = await Endpoint.withFreshKey(system.bus, Date.now);
  const unsubscribe = endpoint.subscribe(S.events(computation), keyFromSenderId, (m) => {
    if (m.kind === 'computation.ended') seen.push(m.body);
  });
  return { seen, unsubscribe };
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface NatsWorld {
  server: NatsServer;
  nc: NatsConnection;
  system: System;
  stop(): Promise<void>;
}

async function natsWorld(
  t: TestContext,
  options: Partial<SystemOptions> = {},
): Promise<NatsWorld | undefined> {
  if (!requireResource(t, 'nats-server', hasBinary(natsServerBinary))) return undefined;
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const registry = await openNatsRegistry(nc);
  const system = await startSystem({
    bus: await natsBus({ servers: server.url, journal: { kind: 'recorder' } }),
    computations: registry.store,
    ...options,
  });
  return {
    server,
    nc,
    system,
    stop: async () => {
      await system.stop();
      await nc.close();
      await server.stop();
    },
  };
}

test('NATS: a second launch of a running policy is ERR_ALREADY_RUNNING and the first completes', async (t) => {
  const world = await natsWorld(t);
  if (!world) return;
  const { system } = world;
  try {
    const [owner] = await identities(1);
    const policy = regressionPolicy(system, owner!);
    const first = await system.launch(policy);
    const ended = await endedEvents(system, first.computation);
    const entry = await system.computations.show(first.computation);
    assert.equal(entry?.state, 'attested');
    assert.equal(entry?.host, first.host);
    assert.equal(entry?.worker, first.worker);
    assert.equal(entry?.policyHash, policy.hash);
    assert.equal(entry?.participants.length, 1);

    const started = Date.now();
    await assert.rejects(system.launch(policy, { timeoutMs: 60_000 }), (e) => {
      assert.ok(isVcError(e, 'ERR_ALREADY_RUNNING'));
      assert.equal(e.details?.['host'], first.host);
      assert.equal(e.details?.['worker'], first.worker);
      return true;
    });
    assert.ok(Date.now() - started < 10_000, 'refused at once, not after a timeout');

    const outcome = await runOwner(system, policy, owner!);
    assert.equal(outcome.ok, true, JSON.stringify(outcome.failure));
    await until('the entry to finish', async () => {
      return (await system.computations.show(first.computation))?.state === 'finished';
    });
    await until('computation.ended', () => ended.seen.length > 0);
    assert.equal(ended.seen[0]?.state, 'finished');
    ended.unsubscribe();
  } finally {
    await world.stop();
  }
});

test('NATS: stop ends the worker, marks the entry stopped and announces ERR_COMPUTATION_STOPPED', async (t) => {
  const world = await natsWorld(t);
  if (!world) return;
  const { system } = world;
  try {
    const [owner] = await identities(1);
    const policy = regressionPolicy(system, owner!);
    const launched = await system.launch(policy);
    const ended = await endedEvents(system, launched.computation);
    const worker = system.workers.get(launched.worker)!;
    const started = Date.now();
    const stopped = await stopComputation({
      bus: system.bus,
      registry: system.computations,
      computation: launched.computation,
    });
    assert.equal(stopped.outcome, 'stopped');
    assert.equal(stopped.entry.state, 'stopped');
    assert.equal(stopped.entry.failure?.code, 'ERR_COMPUTATION_STOPPED');
    await worker.finished;
    await until('computation.ended', () => ended.seen.length > 0);
    assert.equal(ended.seen[0]?.state, 'stopped');
    assert.equal(ended.seen[0]?.code, 'ERR_COMPUTATION_STOPPED');
    assert.ok(Date.now() - started < 10_000);
    // Stopped is final: a new launch of the same policy is accepted.
    const again = await system.launch(policy);
    assert.equal(again.computation, launched.computation);
    ended.unsubscribe();
  } finally {
    await world.stop();
  }
});

test('NATS: an enclave refused for its measurement (wrong runtime hash) is ended at once, the entry failed with the code', async (t) => {
  const world = await natsWorld(t);
  if (!world) return;
  const { system } = world;
  try {
    const [owner] = await identities(1);
    const policy = regressionPolicy(system, owner!, '00'.repeat(32));
    const started = Date.now();
    await assert.rejects(system.launch(policy), (e) => isVcError(e, 'ERR_MEASUREMENT_NOT_ALLOWED'));
    const computation = computationIdFor(policy.hash);
    await until('the entry to fail', async () => {
      return (await system.computations.show(computation))?.state === 'failed';
    });
    const entry = await system.computations.show(computation);
    assert.equal(entry?.failure?.code, 'ERR_MEASUREMENT_NOT_ALLOWED');
    for (const worker of system.workers.values()) await worker.finished;
    assert.equal(system.hosts[0]!.workers.size, 0, 'the worker is gone');
    assert.ok(Date.now() - started < 15_000);
  } finally {
    await world.stop();
  }
});

test('NATS, worker processes: a refused attestation ends the worker at once, the entry failed with the code', async (t) => {
  const world = await natsWorld(t, {
    workers: 'process',
    verifierConfig: { allowSimulation: false },
  });
  if (!world) return;
  const { system } = world;
  try {
    const [owner] = await identities(1);
    const policy = regressionPolicy(system, owner!);
    const started = Date.now();
    await assert.rejects(system.launch(policy), (e) => isVcError(e, 'ERR_ATTESTATION_SIMULATED'));
    const computation = computationIdFor(policy.hash);
    await until('the entry to fail', async () => {
      return (await system.computations.show(computation))?.state === 'failed';
    });
    assert.equal(
      (await system.computations.show(computation))?.failure?.code,
      'ERR_ATTESTATION_SIMULATED',
    );
    await until('the worker process to exit', () => system.hosts[0]!.workers.size === 0);
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  } finally {
    await world.stop();
  }
});

test('NATS: no host serving is ERR_NO_HOSTS at once', async (t) => {
  const world = await natsWorld(t, { hosts: 0 });
  if (!world) return;
  try {
    const [owner] = await identities(1);
    const policy = regressionPolicy(world.system, owner!);
    const started = Date.now();
    await assert.rejects(world.system.launch(policy), (e) => isVcError(e, 'ERR_NO_HOSTS'));
    assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
  } finally {
    await world.stop();
  }
});

test('NATS: with the verifier gone a launch fails ERR_VERIFIER_UNAVAILABLE within seconds', async (t) => {
  const world = await natsWorld(t);
  if (!world) return;
  try {
    const [owner] = await identities(1);
    const policy = regressionPolicy(world.system, owner!);
    world.system.verifierService.stop();
    const started = Date.now();
    await assert.rejects(world.system.launch(policy), (e) =>
      isVcError(e, 'ERR_VERIFIER_UNAVAILABLE'),
    );
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    const computation = computationIdFor(policy.hash);
    await until('the entry to fail', async () => {
      return (await world.system.computations.show(computation))?.state === 'failed';
    });
    const entry = await world.system.computations.show(computation);
    assert.equal(entry?.failure?.code, 'ERR_VERIFIER_UNAVAILABLE');
  } finally {
    await world.stop();
  }
});

test('embedded: a computation idle past the deadline is ended with ERR_IDLE_TIMEOUT', async () => {
  const system = await startSystem({
    bus: memoryBus(),
    lifecycle: { heartbeatMs: 100, idleTimeoutMs: 1_000 },
  });
  try {
    const [owner] = await identities(1);
    const policy = regressionPolicy(system, owner!);
    const launched = await system.launch(policy);
    const ended = await endedEvents(system, launched.computation);
    await until('the idle computation to end', () => ended.seen.length > 0, 20_000);
    assert.equal(ended.seen[0]?.state, 'failed');
    assert.equal(ended.seen[0]?.code, 'ERR_IDLE_TIMEOUT');
    const entry = await system.computations.show(launched.computation);
    assert.equal(entry?.failure?.code, 'ERR_IDLE_TIMEOUT');
    await system.workers.get(launched.worker)!.finished;
  } finally {
    await system.stop();
  }
});

test('a launch not ready by the launcher deadline is abandoned: ERR_LAUNCHER_GONE, worker ended', async () => {
  const bus = new MemoryTransport();
  const registry = new ComputationRegistry({ store: new MemoryStore() });
  let stopped = false;
  let exit = (_code: number) => {};
  const host = await startHost({
    bus,
    registry,
    heartbeatMs: 100,
    // A worker that never becomes ready.
    spawn: async () => ({
      worker: 'w-stuck',
      exited: new Promise<number>((resolve) => (exit = resolve)),
      stop: () => {
        stopped = true;
        exit(0);
      },
    }),
  });
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner] = await identities(1);
    const policy = regressionPolicy(system, owner!);
    await assert.rejects(
      launchComputation({ bus, policy, timeoutMs: 1_000, signer: participantSigner(owner!) }),
      (e) => isVcError(e, 'ERR_LAUNCHER_GONE') || isVcError(e, 'ERR_TIMEOUT'),
    );
    const computation = computationIdFor(policy.hash);
    await until('the abandoned launch to fail', async () => {
      return (await registry.show(computation))?.state === 'failed';
    });
    assert.equal((await registry.show(computation))?.failure?.code, 'ERR_LAUNCHER_GONE');
    assert.equal(stopped, true, 'the worker was ended');
  } finally {
    await host.stop();
    await system.stop();
    await bus.close();
  }
});

test('host.stop() ends every worker it holds and marks their entries', async () => {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner] = await identities(1);
    const policy = regressionPolicy(system, owner!);
    const launched = await system.launch(policy);
    const ended = await endedEvents(system, launched.computation);
    await system.hosts[0]!.stop();
    await system.workers.get(launched.worker)!.finished;
    const entry = await system.computations.show(launched.computation);
    assert.equal(entry?.state, 'stopped');
    await until('computation.ended', () => ended.seen.length > 0);
  } finally {
    await system.stop();
  }
});

test('embedded: a verifier lost while it holds a request fails the launch ERR_VERIFIER_UNAVAILABLE in seconds', async () => {
  const system = await startSystem({ bus: memoryBus() });
  try {
    const [owner] = await identities(1);
    const policy = regressionPolicy(system, owner!);
    // A verifier that answers pings and takes requests, but never replies, then goes away.
    system.verifierService.stop();
    const live = system.bus.subscribe(S.verifierLive, (m) => void m.respond(new Uint8Array()));
    let held = 0;
    const hung = system.bus.subscribe(S.verifier, () => void (held += 1));
    const started = Date.now();
    const launch = system.launch(policy, { timeoutMs: 120_000 });
    await until('the enclave to ask the verifier', () => held > 0, 10_000);
    live.unsubscribe();
    await assert.rejects(launch, (e) => isVcError(e, 'ERR_VERIFIER_UNAVAILABLE'));
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    hung.unsubscribe();
  } finally {
    await system.stop();
  }
});
