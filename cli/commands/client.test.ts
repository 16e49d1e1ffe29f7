// The whole command-line flow on one machine over a private nats-server: vc verifier and vc host as
// their own processes (test-support/cli-deployment.ts), then vc launch, two vc client participants, and vc replay of the JetStream
// journal. Also the client's local refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCliDeployment, type CliDeployment } from '../../test-support/cli-deployment.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { natsServerBinary, startNatsServer } from '../../transport/index.js';
import { captureIo } from '../command.js';
import { main } from '../main.js';

test('vc verifier, vc host, vc launch, vc client and vc replay over NATS', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const dir = await mkdtemp(join(tmpdir(), 'vc-cli-'));
  const server = await startNatsServer();
  let deployment: CliDeployment | undefined;
  try {
    deployment = await startCliDeployment(dir, server.url);
    const { policyFile } = deployment;
    const launch = captureIo();
    assert.equal(
      await main(
        ['launch', policyFile, ...deployment.identityArgs('owner'), '--nats', server.url],
        launch,
      ),
      0,
      launch.stderr.join('\n'),
    );
    const computation = launch.stdout.join('').trim();
    assert.match(computation, /^p[0-9a-f]{32}$/);

    const data = captureIo();
    const dataArgs = ['client', policyFile, ...deployment.identityArgs('data')];
    assert.equal(
      await main(
        [
          ...dataArgs,
          '--data',
          `/input/linear-regression.dat=${deployment.inputFile}`,
          '--nats',
          server.url,
        ],
        data,
      ),
      0,
      data.stderr.join('\n'),
    );

    const owned = captureIo();
    const ownerArgs = ['client', policyFile, ...deployment.identityArgs('owner')];
    const out = join(dir, 'result.dat');
    const code = await main(
      [
        ...ownerArgs,
        '--program',
        `/program/lr.wasm=${deployment.programFile}`,
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
    assert.deepEqual(new Uint8Array(await readFile(out)), deployment.reference);

    const mismatch = captureIo();
    assert.equal(
      await main(
        [
          'client',
          policyFile,
          ...deployment.identityArgs('owner', 'stranger'),
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
          ...deployment.identityArgs('stranger'),
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
    deployment?.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
