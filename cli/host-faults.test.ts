// Processes killed mid-computation (issue 14, item 5), as an operator would meet them: a `vc host`
// process is SIGKILLed, or one enclave worker process is, while a participant waits for its
// program to finish. The participant is told ERR_ENCLAVE_LOST within seconds (not minutes), the
// worker process is gone with its host, the registry entry ends failed (lost, once its host's
// heartbeats stop), and the journal up to the fault replays with `vc replay`, which says the
// computation did not finish.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  natsBus,
  openNatsRegistry,
  participantSigner,
  runParty,
  startSystem,
  type ComputationRegistry,
  type System,
} from '../actors/index.js';
import type { GeneratedIdentity, LoadedPolicy } from '../protocol/index.js';
import { identities, policyFor } from '../scenarios/testing/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import {
  NatsTransport,
  natsServerBinary,
  startNatsServer,
  type NatsServer,
} from '../transport/index.js';
import { captureIo } from './command.js';
import { main } from './main.js';

const vc = fileURLToPath(new URL('../bin/vc.mjs', import.meta.url));
/** Seconds, far from the minutes of 60 s timeouts times three attempts. */
const BOUND_MS = 20_000;
const LOOP = '/program/loop.wasm';
// A guest that never ends by itself: its compute step keeps the participant waiting.
const loopWasm = new Uint8Array(
  readFileSync(new URL('../enclave/guests/loop.wasm', import.meta.url)),
);

interface Rig {
  readonly server: NatsServer;
  readonly system: System;
  readonly registry: ComputationRegistry;
  readonly host: ChildProcessWithoutNullStreams;
  readonly owner: GeneratedIdentity;
  readonly policy: LoadedPolicy;
}

/** A nats-server, a verifier (a system with no host of its own) and one `vc host` process. */
async function withRig(t: TestContext, body: (rig: Rig) => Promise<void>): Promise<void> {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer();
  const registryBus = await NatsTransport.connect({ servers: server.url, name: 'registry' });
  const registry = await openNatsRegistry(registryBus.connection);
  const system = await startSystem({
    bus: await natsBus({ servers: server.url, journal: { kind: 'jetstream' } }),
    workers: 'process',
    hosts: 0,
    computations: registry.store,
  });
  const host = spawn(
    process.execPath,
    [vc, 'host', '--nats', server.url, '--sim-key', system.simKeyFile!, '--name', 'host-doomed'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  try {
    await new Promise((resolve, reject) => {
      host.stdout.once('data', resolve);
      host.once('exit', (code) => reject(new Error(`vc host exited ${code}`)));
    });
    const [owner] = (await identities(1)) as [GeneratedIdentity];
    const policy = policyFor(system, {
      participants: [{ identity: owner, capabilities: ['/program/:wx', '/output/:r'] }],
      programs: [{ path: LOOP, bytes: loopWasm, capabilities: [] }],
      extensions: { executionTimeoutMs: 120_000 },
    });
    await body({ server, system, registry, host, owner, policy });
  } finally {
    host.kill('SIGKILL');
    await system.stop();
    await registryBus.close();
    await server.stop();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms = BOUND_MS,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs the participant; once its compute request is out (the entry reads `running`), `fault()`. */
async function participateThrough(rig: Rig, computation: string, fault: () => void) {
  const started = Date.now();
  const outcome = runParty(
    { bus: rig.system.bus, policy: rig.policy },
    {
      identity: rig.owner,
      steps: [
        { op: 'program', path: LOOP, source: 'loop' },
        { op: 'compute', program: LOOP },
      ],
      sources: { loop: loopWasm },
    },
  );
  await until('the computation to be running', async () => {
    return (await rig.registry.show(computation))?.state === 'running';
  });
  const faultAt = Date.now();
  fault();
  const result = await outcome;
  return { result, sinceFault: Date.now() - faultAt, total: Date.now() - started };
}

async function replayJson(server: NatsServer, computation: string) {
  const io = captureIo();
  const code = await main(
    ['replay', 'VC_JOURNAL', '--nats', server.url, '--computation', computation, '--json'],
    io,
  );
  // One JSON object per event, then the summary.
  const lines = io.stdout.flatMap((s) => s.split('\n'));
  return { code, report: JSON.parse(lines.at(-1)!) as Record<string, unknown> };
}

test('vc host SIGKILLed while a participant waits: ERR_ENCLAVE_LOST in seconds, its worker gone, the journal replays to the fault', async (t) => {
  await withRig(t, async (rig) => {
    // The participant launches (the `vc host` trusts no operator key).
    const launched = await rig.system.launch(rig.policy, { signer: participantSigner(rig.owner) });
    assert.equal(launched.host, 'host-doomed');
    const pid = Number(/^pid-(\d+)$/.exec(launched.worker)?.[1]);
    assert.ok(alive(pid), `worker ${launched.worker} runs`);
    const { result, sinceFault } = await participateThrough(rig, launched.computation, () =>
      rig.host.kill('SIGKILL'),
    );
    assert.equal(result.ok, false);
    assert.equal(result.failure?.code, 'ERR_ENCLAVE_LOST', JSON.stringify(result.failure));
    assert.ok(sinceFault < BOUND_MS, `told after ${sinceFault} ms`);
    await until('the worker process to end with its host', () => !alive(pid));
    // Nobody heartbeats the entry any more: once stale (10 s) it reads as failed/ERR_HOST_LOST.
    await until(
      'the entry to read as lost in vc computations list',
      async () => {
        const io = captureIo();
        await main(['computations', 'list', '--json', '--nats', rig.server.url], io);
        const [entry] = JSON.parse(io.stdout.join('')) as {
          lost: boolean;
          failure?: { code: string };
        }[];
        return entry?.lost === true && entry.failure?.code === 'ERR_HOST_LOST';
      },
      40_000,
    );

    const { code, report } = await replayJson(rig.server, launched.computation);
    assert.equal(code, 0, 'the journal up to the fault replays without a divergence');
    const [computation] = report['runs'] as {
      end: { complete: boolean; summary: string };
    }[];
    assert.equal(computation?.end.complete, false);
    assert.match(computation!.end.summary, /the computation did not finish/);
  });
});

test('an enclave worker process SIGKILLed mid-computation: ERR_ENCLAVE_LOST in seconds, the entry failed with it', async (t) => {
  await withRig(t, async (rig) => {
    // The participant launches (the `vc host` trusts no operator key).
    const launched = await rig.system.launch(rig.policy, { signer: participantSigner(rig.owner) });
    const pid = Number(/^pid-(\d+)$/.exec(launched.worker)?.[1]);
    const { result, sinceFault } = await participateThrough(rig, launched.computation, () =>
      process.kill(pid, 'SIGKILL'),
    );
    assert.equal(result.failure?.code, 'ERR_ENCLAVE_LOST', JSON.stringify(result.failure));
    assert.ok(sinceFault < BOUND_MS, `told after ${sinceFault} ms`);
    await until('the entry to end failed with ERR_ENCLAVE_LOST', async () => {
      const entry = await rig.registry.show(launched.computation);
      return entry?.state === 'failed' && entry.failure?.code === 'ERR_ENCLAVE_LOST';
    });
    assert.ok(alive(rig.host.pid!), 'the host survives its worker');
  });
});
