// Issue 15, items 3 and 4, over a real nats-server: only a participant of the policy or an operator
// key the hosts trust may make a host start an enclave worker; a replayed or modified launch
// request starts nothing; a host holds at most `maxEnclaves` computations; a worker process runs
// under the policy's memory cap.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  computationIdFor,
  createIdentity,
  isVcError,
  type GeneratedIdentity,
  type LoadedPolicy,
  subjectsFor,
} from '../../protocol/index.js';
import { natsServerBinary, startNatsServer, type NatsServer } from '../../transport/index.js';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { launchComputation } from '../participant/launcher.js';
import { Endpoint, type Signer } from '../runtime/endpoint.js';
import {
  operatorSigner,
  participantSigner,
  parseLauncherKeys,
} from '../runtime/launch-authority.js';
import { keyFromSenderId, keySenderId } from '../runtime/sender-ids.js';
import { natsBus } from '../system/system-bus.js';
import { startSystem, type System, type SystemOptions } from '../system/system.js';
import { openNatsRegistry } from '../registry/computation-registry.js';

/** The default namespace's subjects. */
const S = subjectsFor();

function ownerPolicy(system: System, owner: GeneratedIdentity): LoadedPolicy {
  return policyFor(system, {
    participants: [{ identity: owner, capabilities: ['/program/:wx', '/output/:r'] }],
    programs: [
      { path: '/program/p.wasm', bytes: wasmOf('random-source'), capabilities: ['/output/:w'] },
    ],
  });
}

/** A key nobody was told about, signing as its self-certifying `k:` id. */
async function strangerSigner(): Promise<Signer> {
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]);
  return { id: await keySenderId(pair.publicKey), key: pair.privateKey };
}

interface World {
  server: NatsServer;
  nc: NatsConnection;
  system: System;
  stop(): Promise<void>;
}

async function natsWorld(
  t: TestContext,
  options: Partial<SystemOptions> = {},
): Promise<World | undefined> {
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

/** Nothing was started for the policy: no worker on any host, no registry entry. */
async function assertNothingStarted(system: System, policy: LoadedPolicy): Promise<void> {
  for (const host of system.hosts) assert.equal(host.workers.size, 0, `${host.host} workers`);
  assert.equal(system.workers.size, 0, 'no enclave worker was created');
  assert.equal(await system.computations.show(computationIdFor(policy.hash)), undefined);
}

test('NATS: a launch signed outside the policy and without an operator key is ERR_LAUNCH_NOT_AUTHORIZED, nothing started', async (t) => {
  const world = await natsWorld(t);
  if (!world) return;
  const { system } = world;
  try {
    const [owner, outsider] = await identities(2);
    const policy = ownerPolicy(system, owner!);
    const started = Date.now();
    // An unknown key, and a real certificate the policy does not name.
    for (const signer of [await strangerSigner(), participantSigner(outsider!)])
      await assert.rejects(
        launchComputation({ bus: system.bus, policy, signer, timeoutMs: 20_000 }),
        (e) => isVcError(e, 'ERR_LAUNCH_NOT_AUTHORIZED'),
      );
    assert.ok(Date.now() - started < 15_000, `refused in ${Date.now() - started} ms`);
    await assertNothingStarted(system, policy);
  } finally {
    await world.stop();
  }
});

test('NATS: a participant of the policy may launch it, and so may an operator key from a --launcher-keys file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vc-launcher-keys-'));
  try {
    // The operator's key as `vc identity new` makes it; the hosts get its certificate.
    const operator = await createIdentity({ name: { commonName: 'operator' }, now: new Date() });
    const keysFile = join(dir, 'launcher-keys.pem');
    await writeFile(keysFile, `# the operators\n${operator.certificatePem}`);
    const launcherIds = await parseLauncherKeys(await readFile(keysFile, 'utf8'), keysFile);
    const world = await natsWorld(t, { launcherIds });
    if (!world) return;
    const { system } = world;
    try {
      const [owner, other] = await identities(2);
      const byParticipant = await launchComputation({
        bus: system.bus,
        policy: ownerPolicy(system, owner!),
        signer: participantSigner(owner!),
      });
      assert.equal((await system.computations.show(byParticipant.computation))?.state, 'attested');
      const byOperator = await launchComputation({
        bus: system.bus,
        policy: ownerPolicy(system, other!),
        signer: await operatorSigner(operator.privateKeyPem),
      });
      assert.equal((await system.computations.show(byOperator.computation))?.state, 'attested');
    } finally {
      await world.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--launcher-keys: a file without a key, with another kind of block or an Ed25519 key is ERR_USAGE', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vc-launcher-keys-'));
  try {
    const operator = await createIdentity({ name: { commonName: 'operator' }, now: new Date() });
    const empty = join(dir, 'empty.pem');
    await writeFile(empty, 'nothing here\n');
    await assert.rejects(parseLauncherKeys(await readFile(empty, 'utf8'), empty), (e) =>
      isVcError(e, 'ERR_USAGE'),
    );
    const privateKey = join(dir, 'private.pem');
    await writeFile(privateKey, operator.privateKeyPem);
    await assert.rejects(parseLauncherKeys(await readFile(privateKey, 'utf8'), privateKey), (e) =>
      isVcError(e, 'ERR_USAGE'),
    );
    const ed25519 = await createIdentity({
      name: { commonName: 'ed' },
      now: new Date(),
      algorithm: 'Ed25519',
    });
    const edFile = join(dir, 'ed.pem');
    await writeFile(edFile, ed25519.certificatePem);
    await assert.rejects(parseLauncherKeys(await readFile(edFile, 'utf8'), edFile), (e) =>
      isVcError(e, 'ERR_USAGE'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('NATS: a replayed launch envelope starts nothing new, a modified one is refused', async (t) => {
  const world = await natsWorld(t);
  if (!world) return;
  const { system, nc } = world;
  try {
    const [owner] = await identities(1);
    const policy = ownerPolicy(system, owner!);
    // An eavesdropper on the bus records the launch request.
    const recorded: Uint8Array[] = [];
    const tap = nc.subscribe(S.hostsLaunch, {
      callback: (_e, m) => void recorded.push(Uint8Array.from(m.data)),
    });
    await nc.flush();
    const launched = await launchComputation({
      bus: system.bus,
      policy,
      signer: participantSigner(owner!),
    });
    tap.unsubscribe();
    assert.equal(recorded.length, 1);
    const envelope = recorded[0]!;
    assert.equal(system.workers.size, 1);
    const reader = await Endpoint.withFreshKey(system.bus, Date.now);

    // The same bytes again: answered from the host's idempotency cache, the same worker.
    const again = await reader.open(
      (await nc.request(S.hostsLaunch, envelope, { timeout: 10_000 })).data,
      keyFromSenderId,
    );
    assert.equal(again.kind, 'host.launched');
    assert.equal(again.kind === 'host.launched' && again.body.worker, launched.worker);
    assert.equal(system.workers.size, 1, 'the replay started no worker');

    // One byte of the body changed: the signature no longer verifies.
    const modified = Uint8Array.from(envelope);
    modified[modified.length - 80] = modified[modified.length - 80]! ^ 1;
    const refused = await reader.open(
      (await nc.request(S.hostsLaunch, modified, { timeout: 10_000 })).data,
      keyFromSenderId,
    );
    assert.equal(refused.kind, 'protocol.error');
    assert.equal(system.workers.size, 1, 'the modified request started no worker');

    // After the computation ended, the recorded request still starts nothing.
    const [worker] = [...system.workers.values()];
    worker!.stop();
    await worker!.finished;
    const after = await reader.open(
      (await nc.request(S.hostsLaunch, envelope, { timeout: 10_000 })).data,
      keyFromSenderId,
    );
    assert.equal(
      after.kind === 'host.launched' && after.body.worker,
      launched.worker,
      JSON.stringify(after.body),
    );
    assert.equal(system.workers.size, 1, 'no new worker after the end either');
  } finally {
    await world.stop();
  }
});

test('NATS: a host with maxEnclaves 2 refuses the third concurrent launch with ERR_HOST_BUSY', async (t) => {
  const world = await natsWorld(t, { lifecycle: { maxEnclaves: 2 } });
  if (!world) return;
  const { system } = world;
  try {
    const owners = await identities(3);
    const policies = owners.map((owner) => ownerPolicy(system, owner));
    await system.launch(policies[0]!);
    await system.launch(policies[1]!);
    const started = Date.now();
    await assert.rejects(system.launch(policies[2]!), (e) => isVcError(e, 'ERR_HOST_BUSY'));
    assert.ok(Date.now() - started < 15_000, `refused in ${Date.now() - started} ms`);
    assert.equal(system.hosts[0]!.workers.size, 2, 'no third worker');
    assert.equal(await system.computations.show(computationIdFor(policies[2]!.hash)), undefined);
  } finally {
    await world.stop();
  }
});

test('NATS, worker processes: the worker runs under the policy memory cap', async (t) => {
  if (!existsSync('/proc/self/cmdline')) {
    t.skip('no /proc to read a process command line from');
    return;
  }
  const world = await natsWorld(t, { workers: 'process' });
  if (!world) return;
  const { system } = world;
  try {
    const [owner] = await identities(1);
    const policy = ownerPolicy(system, owner!);
    const launched = await system.launch(policy);
    const pid = /^pid-(\d+)$/.exec(launched.worker)?.[1];
    assert.ok(pid, launched.worker);
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    // The policy's max_memory_mib plus the runtime's own 256 MiB allowance.
    assert.ok(
      argv.includes(`--max-old-space-size=${policy.policy.maxMemoryMib + 256}`),
      argv.join(' '),
    );
  } finally {
    await world.stop();
  }
});
