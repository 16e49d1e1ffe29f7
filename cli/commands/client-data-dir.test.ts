// `vc client --data-dir DIR=PREFIX` against a running system (vc verifier and vc host as processes
// over a private nats-server, vc launch and vc client in this process): Veracruz's
// performance_macd and performance_set_intersection_sum, whose inputs are whole folders written
// with `write_all(dir, "/input/x/")`, each run through the enclave and every result compared with
// the reference. Also the option's local refusals.
import type { ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  startVerifierService,
  vcService,
  writeVerifierTrust,
} from '../../test-support/cli-deployment.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { createIdentity, policyTextFromSpec } from '../../protocol/index.js';
import { exampleNamed } from '../../sdk/index.js';
import { natsServerBinary, startNatsServer } from '../../transport/index.js';
import { captureIo } from '../command.js';
import { dataDirFiles } from '../data-dir.js';
import { main } from '../main.js';

const BULK = [
  { example: 'moving-average-convergence-divergence', folder: 'macd', size: 1000 },
  { example: 'private-set-intersection-sum', folder: 'private-set-inter-sum', size: 2000 },
] as const;

/** Writes the files under `/input/<folder>/` of `files` into `dir` (paths below the folder kept). */
function writeFolder(dir: string, folder: string, files: ReadonlyMap<string, Uint8Array>): void {
  const prefix = `/input/${folder}/`;
  for (const [path, bytes] of files) {
    if (!path.startsWith(prefix)) continue;
    const host = join(dir, path.slice(prefix.length));
    mkdirSync(dirname(host), { recursive: true });
    writeFileSync(host, bytes);
  }
}

test("Veracruz's performance_macd and performance_set_intersection_sum: folders uploaded with --data-dir", async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const dir = await mkdtemp(join(tmpdir(), 'vc-data-dir-'));
  const server = await startNatsServer();
  const children: ChildProcess[] = [];
  try {
    const trust = await writeVerifierTrust(dir);
    children.push(await startVerifierService(dir, server.url));
    children.push(
      await vcService([
        'host',
        '--nats',
        server.url,
        '--name',
        'h1',
        '--sim-key',
        trust.simKeyFile,
      ]),
    );
    const now = Date.now();
    const client = await createIdentity({ name: 'client', now: new Date(now - 3600_000) });
    await writeFile(join(dir, 'client.crt'), client.certificatePem);
    await writeFile(join(dir, 'client.key'), client.privateKeyPem);
    const programs = BULK.map(({ example }) => ({
      path: `/program/${example}.wasm`,
      file: exampleNamed(example).wasmPath,
    }));
    const policyFile = join(dir, 'policy.json');
    await writeFile(
      policyFile,
      policyTextFromSpec({
        // Veracruz's single_client.json: one client provides, runs and reads everything.
        participants: [
          { identity: client, capabilities: ['/program/:wx', '/input/:w', '/output/:r'] },
        ],
        programs: await Promise.all(
          programs.map(async ({ path, file }) => ({
            path,
            bytes: new Uint8Array(await readFile(file)),
            capabilities: ['/input/:r', '/output/:w'],
          })),
        ),
        proxyServiceCertPem: trust.caCertificatePem,
        simMeasurements: [trust.measurement],
        expiry: new Date(now + 86400_000),
      }),
    );
    const identity = ['--identity', join(dir, 'client.crt'), '--key', join(dir, 'client.key')];
    const launch = captureIo();
    assert.equal(
      await main(['launch', policyFile, ...identity, '--nats', server.url], launch),
      0,
      launch.stderr.join('\n'),
    );

    const args: string[] = [];
    const expected = new Map<string, Uint8Array>();
    const inputs: string[] = [];
    for (const [i, { example, folder, size }] of BULK.entries()) {
      const e = exampleNamed(example);
      const run = e.generate(7 + i, size);
      const hostDir = join(dir, folder);
      writeFolder(hostDir, folder, run.files);
      inputs.push(...[...run.files.keys()].filter((path) => path.startsWith(`/input/${folder}/`)));
      args.push('--program', `${programs[i]!.path}=${programs[i]!.file}`);
      args.push('--data-dir', `${hostDir}=/input/${folder}/`);
      args.push('--compute', programs[i]!.path);
      for (const [path, bytes] of e.reference(run)) {
        const out = join(dir, `result-${expected.size}`);
        expected.set(out, bytes);
        args.push('--result', `${path}=${out}`);
      }
    }
    const io = captureIo();
    const code = await main(
      ['client', policyFile, ...identity, ...args, '--shutdown', '--nats', server.url, '--json'],
      io,
    );
    assert.equal(code, 0, io.stdout.join('') + io.stderr.join(''));
    const report = JSON.parse(io.stdout.join('')) as {
      steps: { kind: string; step: { path?: string } }[];
    };
    const uploads = report.steps.filter((s) => s.kind === 'provision.ack').map((s) => s.step.path);
    // Every generated file (PSI-sum's in one sub-folder per batch) went up under its own path.
    assert.deepEqual(
      [...uploads].sort(),
      [...programs.map((p) => p.path), ...inputs].sort(),
      'every file of both folders uploaded, sub-folders kept',
    );
    assert.ok(
      inputs.some((path) => path.split('/').length > 4),
      'a file in a sub-folder is among them',
    );
    assert.ok(expected.size >= 4, 'every output of both programs is read');
    for (const [file, bytes] of expected)
      assert.deepEqual(
        new Uint8Array(await readFile(file)),
        bytes,
        `${file} differs from the reference`,
      );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('--data-dir lists every file under the folder, sorted, and refuses what it cannot upload', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vc-data-dir-'));
  try {
    mkdirSync(join(dir, 'in', 'b'), { recursive: true });
    writeFileSync(join(dir, 'in', 'z.dat'), 'z');
    writeFileSync(join(dir, 'in', 'b', 'a.dat'), 'a');
    assert.deepEqual(dataDirFiles(`${join(dir, 'in')}=/input/x/`), [
      { path: '/input/x/b/a.dat', file: join(dir, 'in', 'b', 'a.dat') },
      { path: '/input/x/z.dat', file: join(dir, 'in', 'z.dat') },
    ]);
    const refused = (spec: string, code: string, message: RegExp): void =>
      assert.throws(
        () => dataDirFiles(spec),
        (e: { code?: string; message?: string }) => {
          assert.equal(e.code, code);
          assert.match(e.message ?? '', message);
          return true;
        },
      );
    refused(`${join(dir, 'in')}`, 'ERR_USAGE', /DIR=PREFIX/);
    refused(`${join(dir, 'in')}=input/x`, 'ERR_USAGE', /DIR=PREFIX/);
    refused(`${join(dir, 'missing')}=/input/x/`, 'ERR_FILE_NOT_FOUND', /missing/);
    refused(`${join(dir, 'in', 'z.dat')}=/input/x/`, 'ERR_BAD_PATH', /a file where a folder/);
    mkdirSync(join(dir, 'empty'));
    refused(`${join(dir, 'empty')}=/input/x/`, 'ERR_BAD_PATH', /without files/);
    symlinkSync(join(dir, 'in', 'z.dat'), join(dir, 'in', 'link'));
    refused(`${join(dir, 'in')}=/input/x/`, 'ERR_BAD_PATH', /links are not followed/);
    // Through the command: a usage error before any network.
    const io = captureIo();
    const code = await main(
      ['client', 'policy.json', '--identity', 'c', '--key', 'k', '--data-dir', 'nothing'],
      io,
    );
    assert.equal(code, 2);
    assert.match(io.stderr.join(''), /ERR_USAGE.*DIR=PREFIX/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
