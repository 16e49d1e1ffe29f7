// `vc computations list|show|stop` and `vc launch` against a running system on a real nats-server,
// enclave workers as processes and the registry in JetStream KV (issue 14, "Done when").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import {
  ComputationRegistry,
  natsBus,
  openNatsRegistry,
  runParty,
  startSystem,
} from '../../actors/index.js';
import { exampleNamed } from '../../sdk/index.js';
import { natsServerBinary, startNatsServer } from '../../transport/index.js';
import { identities, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';

const vc = fileURLToPath(new URL('../../bin/vc.mjs', import.meta.url));

/** Runs `vc ARGS` as its own process: exit code and stdout. */
function vcProcess(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [vc, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function vcMain(args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('vc launch twice, vc computations list/show/stop over NATS with worker processes', async (t) => {
  if (!requireResource(t, 'nats-server', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const dir = await mkdtemp(join(tmpdir(), 'vc-computations-'));
  const registry = await openNatsRegistry(nc);
  const system = await startSystem({
    bus: await natsBus({ servers: server.url, journal: { kind: 'recorder' } }),
    workers: 'process',
    computations: registry.store,
  });
  const nats = ['--nats', server.url];
  try {
    const [owner] = await identities(1);
    const example = exampleNamed('linear-regression');
    const program = '/program/linear-regression.wasm';
    const policy = policyFor(system, {
      participants: [
        { identity: owner!, capabilities: ['/program/:wx', '/input/:w', '/output/:r'] },
      ],
      programs: [
        {
          path: program,
          bytes: wasmOf('linear-regression'),
          capabilities: ['/input/:r', '/output/:w'],
        },
      ],
    });
    const policyFile = join(dir, 'policy.json');
    await writeFile(policyFile, policy.bytes);
    // The launches are signed as the policy's participant.
    const launcher = ['--identity', join(dir, 'owner.crt'), '--key', join(dir, 'owner.key')];
    await writeFile(launcher[1]!, owner!.certificatePem);
    await writeFile(launcher[3]!, owner!.privateKeyPem, { mode: 0o600 });

    const first = await vcProcess([
      'launch',
      policyFile,
      ...launcher,
      ...nats,
      '--json',
      '--timeout',
      '60',
    ]);
    assert.equal(first.code, 0, first.stderr);
    const launched = JSON.parse(first.stdout) as {
      computation: string;
      host: string;
      worker: string;
    };

    // The second launch of the running policy: exit 1, ERR_ALREADY_RUNNING naming the holder (an
    // answer from the registry, not a launch deadline running out).
    const second = await vcProcess(['launch', policyFile, ...launcher, ...nats, '--json']);
    assert.equal(second.code, 1, second.stderr);
    const refusal = JSON.parse(second.stdout) as { error: { code: string; message: string } };
    assert.equal(refusal.error.code, 'ERR_ALREADY_RUNNING');
    assert.match(refusal.error.message, new RegExp(launched.worker));

    const listed = await vcMain(['computations', 'list', '--json', ...nats]);
    assert.equal(listed.code, 0, listed.stderr);
    const entries = JSON.parse(listed.stdout) as {
      computation: string;
      state: string;
      worker: string;
    }[];
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.computation, launched.computation);
    assert.equal(entries[0]?.worker, launched.worker);
    assert.equal(entries[0]?.state, 'attested');
    const table = await vcMain(['computations', 'list', ...nats]);
    assert.match(table.stdout, /^ID\s+STATE\s+HOST\s+WORKER\s+PLATFORM\s+AGE\s+FAILURE/);
    assert.match(table.stdout, new RegExp(`${launched.computation}\\s+attested`));

    // The first computation still completes.
    const run = example.generate(3, 20);
    const outcome = await runParty(
      { bus: system.bus, policy, timeoutMs: 60_000 },
      {
        identity: owner!,
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
    assert.equal(outcome.ok, true, JSON.stringify(outcome.failure));
    await until('the entry to finish', async () => {
      const shown = await vcMain(['computations', 'show', launched.computation, '--json', ...nats]);
      return (JSON.parse(shown.stdout) as { state: string }).state === 'finished';
    });

    // A finished computation is launched again; stop ends it through its host.
    const again = await vcProcess(['launch', policyFile, ...launcher, ...nats, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const stopped = await vcMain(['computations', 'stop', launched.computation, ...nats, '--json']);
    assert.equal(stopped.code, 0, stopped.stderr);
    const stopResult = JSON.parse(stopped.stdout) as {
      outcome: string;
      entry: { state: string; failure?: { code: string } };
    };
    assert.equal(stopResult.outcome, 'stopped');
    assert.equal(stopResult.entry.state, 'stopped');
    assert.equal(stopResult.entry.failure?.code, 'ERR_COMPUTATION_STOPPED');
    await until('the worker process to exit', () => system.hosts[0]!.workers.size === 0);
    const shown = await vcMain(['computations', 'show', launched.computation, ...nats]);
    assert.match(shown.stdout, /state\s+stopped/);
    assert.match(shown.stdout, /ERR_COMPUTATION_STOPPED/);

    // Unknown ids, and an entry whose host is gone.
    const unknown = await vcMain(['computations', 'show', 'p-nothing', ...nats]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /ERR_COMPUTATION_UNKNOWN/);
    const past = Date.now() - 60_000;
    const ghost = new ComputationRegistry({ store: registry.store, clock: () => new Date(past) });
    await ghost.claim({
      computation: 'p-ghost',
      host: 'host-gone',
      worker: 'w-gone',
      policyHash: policy.hash,
      platform: 'sim',
      participants: [],
    });
    const lost = await vcMain(['computations', 'stop', 'p-ghost', ...nats]);
    assert.equal(lost.code, 0, lost.stderr);
    assert.match(lost.stdout, /host-gone is gone.*ERR_HOST_LOST/);
    const usage = await vcMain(['computations', 'show', ...nats]);
    assert.equal(usage.code, 2);
  } finally {
    await system.stop();
    await nc.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
