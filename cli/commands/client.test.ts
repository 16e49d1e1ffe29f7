// The whole command-line flow on one machine over a private nats-server: vc verifier and vc host as
// their own processes, then vc launch, two vc client participants, and vc replay of the JetStream
// journal. Also the client's local refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createVerifierCa, Registry } from '../../attestation/index.js';
import { measureRuntime, generateSimAttestationKey } from '../../enclave/index.js';
import { policyTextFromSpec } from '../../protocol/index.js';
import { identities } from '../../scenarios/testing/index.js';
import { exampleNamed } from '../../sdk/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { FileStore, natsServerBinary, startNatsServer } from '../../transport/index.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';

const vc = fileURLToPath(new URL('../../bin/vc.mjs', import.meta.url));

function service(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [vc, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`vc ${args[0]} exited ${code}: ${err}`)));
  });
}

test('vc verifier, vc host, vc launch, vc client and vc replay over NATS', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const dir = await mkdtemp(join(tmpdir(), 'vc-cli-'));
  const server = await startNatsServer();
  const children: ChildProcess[] = [];
  try {
    const now = new Date();
    const ca = await createVerifierCa({
      notBefore: new Date(now.getTime() - 3600_000),
      notAfter: new Date(now.getTime() + 86400_000 * 30),
      random: (n) => new Uint8Array(randomBytes(n)),
    });
    await writeFile(join(dir, 'ca.pem'), ca.certificatePem);
    await writeFile(join(dir, 'ca.key'), ca.privateKeyPem);
    const simKeyFile = join(dir, 'sim.key');
    const simKey = await generateSimAttestationKey(simKeyFile);
    const store = await FileStore.open(join(dir, 'state.json'));
    const registry = new Registry(store);
    await registry.addKey('sim', simKey.publicKeyPem, 'test');
    const { measurement } = await measureRuntime();
    await registry.addReference('sim', measurement, 'measurement', 'test');
    await store.close();

    const [owner, dataOwner, stranger] = await identities(3);
    for (const [name, id] of [
      ['owner', owner],
      ['data', dataOwner],
      ['stranger', stranger],
    ] as const) {
      await writeFile(join(dir, `${name}.crt`), id!.certificatePem);
      await writeFile(join(dir, `${name}.key`), id!.privateKeyPem);
    }
    const example = exampleNamed('linear-regression');
    const wasm = new Uint8Array(await readFile(example.wasmPath));
    await writeFile(join(dir, 'program.wasm'), wasm);
    const run = example.generate(3, 30);
    await writeFile(join(dir, 'input.dat'), [...run.files.values()][0]!);
    const policyFile = join(dir, 'policy.json');
    await writeFile(
      policyFile,
      policyTextFromSpec({
        participants: [
          { identity: owner!, capabilities: ['/program/:wx', '/output/:r'] },
          { identity: dataOwner!, capabilities: ['/input/:w'] },
        ],
        programs: [
          { path: '/program/lr.wasm', bytes: wasm, capabilities: ['/input/:r', '/output/:w'] },
        ],
        proxyServiceCertPem: ca.certificatePem,
        simMeasurements: [measurement],
        expiry: new Date(now.getTime() + 30 * 86400_000),
      }),
    );

    children.push(
      await service([
        'verifier',
        '--nats',
        server.url,
        '--ca-cert',
        join(dir, 'ca.pem'),
        '--ca-key',
        join(dir, 'ca.key'),
        '--store',
        join(dir, 'state.json'),
        '--allow-simulation',
      ]),
    );
    children.push(
      await service(['host', '--nats', server.url, '--name', 'h1', '--sim-key', simKeyFile]),
    );

    const launch = captureIo();
    assert.equal(
      await main(
        [
          'launch',
          policyFile,
          '--identity',
          join(dir, 'owner.crt'),
          '--key',
          join(dir, 'owner.key'),
          '--nats',
          server.url,
        ],
        launch,
      ),
      0,
      launch.stderr.join('\n'),
    );
    const computation = launch.stdout.join('').trim();
    assert.match(computation, /^p[0-9a-f]{32}$/);

    const data = captureIo();
    const dataArgs = [
      'client',
      policyFile,
      '--identity',
      join(dir, 'data.crt'),
      '--key',
      join(dir, 'data.key'),
    ];
    assert.equal(
      await main(
        [
          ...dataArgs,
          '--data',
          `/input/linear-regression.dat=${join(dir, 'input.dat')}`,
          '--nats',
          server.url,
        ],
        data,
      ),
      0,
      data.stderr.join('\n'),
    );

    const owned = captureIo();
    const ownerArgs = [
      'client',
      policyFile,
      '--identity',
      join(dir, 'owner.crt'),
      '--key',
      join(dir, 'owner.key'),
    ];
    const out = join(dir, 'result.dat');
    const code = await main(
      [
        ...ownerArgs,
        '--program',
        `/program/lr.wasm=${join(dir, 'program.wasm')}`,
        '--compute',
        '/program/lr.wasm',
        '--result',
        `/output/linear-regression.dat=${out}`,
        '--shutdown',
        '--nats',
        server.url,
        '--json',
      ],
      owned,
    );
    assert.equal(code, 0, owned.stdout.join(''));
    const report = JSON.parse(owned.stdout.join('')) as { ok: boolean; steps: { kind: string }[] };
    assert.deepEqual(
      report.steps.map((s) => s.kind),
      ['provision.ack', 'compute.done', 'result.data', 'shutdown.ack'],
    );
    assert.deepEqual(
      new Uint8Array(await readFile(out)),
      example.reference(run).get('/output/linear-regression.dat'),
    );

    const mismatch = captureIo();
    assert.equal(
      await main(
        [
          'client',
          policyFile,
          '--identity',
          join(dir, 'owner.crt'),
          '--key',
          join(dir, 'stranger.key'),
          '--shutdown',
          '--nats',
          server.url,
        ],
        mismatch,
      ),
      1,
    );
    assert.match(mismatch.stderr.join(''), /ERR_IDENTITY_KEY_MISMATCH/);
    const unknown = captureIo();
    assert.equal(
      await main(
        [
          'client',
          policyFile,
          '--identity',
          join(dir, 'stranger.crt'),
          '--key',
          join(dir, 'stranger.key'),
          '--shutdown',
          '--nats',
          server.url,
        ],
        unknown,
      ),
      1,
    );
    assert.match(unknown.stderr.join(''), /ERR_UNKNOWN_PARTICIPANT/);

    const replay = captureIo();
    assert.equal(
      await main(['replay', '--nats', server.url, '--computation', computation, '--json'], replay),
      0,
    );
    // One JSON object per event, then the summary.
    const replayLines = replay.stdout.flatMap((s) => s.split('\n'));
    const replayed = JSON.parse(replayLines.at(-1)!) as {
      type: string;
      ok: boolean;
      runs: { actors: unknown[]; unverified: number }[];
    };
    assert.equal(replayed.type, 'summary');
    assert.equal(replayed.ok, true);
    assert.ok(replayed.runs[0]!.actors.length >= 5, JSON.stringify(replayed.runs));
    const events = replayLines.slice(0, -1).map((l) => JSON.parse(l) as { actor: string });
    assert.ok(events.length > 0, replayLines.slice(0, 3).join('\n'));
    assert.ok(
      events.every((e) => typeof e.actor === 'string'),
      replayLines.slice(0, 3).join('\n'),
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
