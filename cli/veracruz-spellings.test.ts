// Veracruz's command lines work as they are (issue 20, item 6; docs/veracruz.md): `vc client` with
// vc-client's spellings (-i -k -p -d -c -o -n -s -q, [NAME=]FILE lists, - for standard output, its
// order of operations and its shutdown after the outputs unless -n) against an attested enclave on
// a private nats-server, and `vc run` with vc-fee's (-i -o -r -d -e -c --env). Each runs `vc` as
// its own process (bin/vc.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsBus, startSystem } from '../actors/index.js';
import type { GeneratedIdentity } from '../protocol/index.js';
import { identities, policyFor, wasmOf } from '../scenarios/testing/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import { natsServerBinary, startNatsServer } from '../transport/index.js';

const vc = fileURLToPath(new URL('../bin/vc.mjs', import.meta.url));

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runVc(args: readonly string[], cwd: string, input?: Uint8Array): Promise<Ran> {
  const child = spawn(process.execPath, [vc, ...args], {
    cwd,
    stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  if (input) child.stdin!.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vc-veracruz-spellings-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

test('vc client with vc-client spellings: order, [NAME=]FILE, - for stdin and stdout, shutdown after the outputs unless -n', async (t) => {
  if (!requireResource(t, 'nats-server binary', hasBinary(natsServerBinary))) return;
  const server = await startNatsServer();
  const system = await startSystem({
    bus: await natsBus({ servers: server.url, journal: { kind: 'jetstream' } }),
  });
  try {
    const [owner, provider] = (await identities(2)) as [GeneratedIdentity, GeneratedIdentity];
    const wasm = wasmOf('read-file');
    const policy = policyFor(system, {
      participants: [
        { identity: owner, capabilities: ['/program/:wx', '/output/:r', 'stdout:r'] },
        { identity: provider, capabilities: ['/input/:w'] },
      ],
      programs: [
        {
          path: '/program/read-file.wasm',
          bytes: wasm,
          capabilities: ['/input/:r', '/output/:rw', 'stdout:w', 'stderr:w'],
        },
      ],
      extensions: { shutdown: { rule: 'any' } },
    });
    await system.launch(policy);
    const file = (name: string): string => join(dir, name);
    await writeFile(file('policy.json'), policy.bytes);
    for (const [name, id] of [
      ['owner', owner],
      ['provider', provider],
    ] as const) {
      await writeFile(file(`${name}.crt`), id.certificatePem);
      await writeFile(file(`${name}.key`), id.privateKeyPem);
    }
    await mkdir(file('program'));
    await writeFile(file('program/read-file.wasm'), wasm);
    const common = ['policy.json', '--nats', server.url];

    // -d NAME=- reads standard input; a name without its leading / gets one (vc-client's rule).
    const provided = await runVc(
      [
        'client',
        ...common,
        '-i',
        'provider.crt',
        '-k',
        'provider.key',
        '-d',
        'input/hello-world-1.dat=-',
        '-q',
      ],
      dir,
      new TextEncoder().encode('hi there'),
    );
    assert.equal(provided.code, 0, provided.stderr);
    assert.equal(provided.stderr, '', 'quiet');

    // Given in another order, run in vc-client's: program, compute, outputs; -n: no shutdown.
    const owned = ['client', ...common, '-i', 'owner.crt', '-k', 'owner.key'];
    const first = await runVc(
      [
        ...owned,
        '-o',
        'stdout=-,output/hello-world-1.dat=copy.dat',
        '-c',
        'program/read-file.wasm',
        '-p',
        'program/read-file.wasm',
        '-n',
      ],
      dir,
    );
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'hello\nrust\n');
    assert.equal(await readFile(file('copy.dat'), 'utf8'), 'hi there');
    assert.deepEqual(
      first.stderr.trim().split('\n'),
      [
        'provisioned /program/read-file.wasm (' + String(wasm.length) + ' bytes)',
        'computed /program/read-file.wasm: exit code 0',
        'read stdout (11 bytes) into standard output',
        'read /output/hello-world-1.dat (8 bytes) into copy.dat',
      ],
      first.stderr,
    );

    // Without -n, the outputs are followed by a shutdown.
    const last = await runVc([...owned, '--output', '/output/listing.txt=-'], dir);
    assert.equal(last.code, 0, last.stderr);
    assert.equal(last.stdout, 'hello-world-1.dat\nlisting.txt\ntest\n');
    assert.match(last.stderr, /computation shut down/);

    // Our own spellings keep their meaning: nothing runs after the shutdown above.
    const gone = await runVc([...owned, '--result', 'stdout=-'], dir);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /error ERR_/);
  } finally {
    await system.stop();
    await server.stop();
  }
});

test('vc run with vc-fee spellings: -i and -o sources at /PATH, -r pipeline, -d and -e dumps, -c clock, --env', async () => {
  const work = await mkdtemp(join(dir, 'fee-'));
  await mkdir(join(work, 'program'));
  await mkdir(join(work, 'input'));
  await writeFile(join(work, 'program/read-file.wasm'), wasmOf('read-file'));
  await writeFile(join(work, 'input/hello-world-1.dat'), 'bytes');
  const ran = await runVc(
    [
      'run',
      '-i',
      'program',
      'input',
      '-o',
      'output',
      '-r',
      '/program/read-file.wasm',
      '-d',
      '-e',
      '-c',
      '--env',
      'A=b',
    ],
    work,
  );
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stdout, '---- stdout dump ----\nhello\nrust\n---- stdout dump end ----\n');
  assert.equal(ran.stderr, '---- stderr dump ----\n---- stderr dump end ----\n');
  assert.equal(await readFile(join(work, 'output/hello-world-1.dat'), 'utf8'), 'bytes');
  assert.equal(await readFile(join(work, 'output/test/test.txt'), 'utf8'), 'hello');
  // An input source is read-only: the same program with /input as its only source cannot write.
  const refused = await runVc(
    ['run', '-i', 'program', 'input', '-r', '/program/read-file.wasm', '-e'],
    work,
  );
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /---- stderr dump ----\ncreate \/output\/test: /);
});
