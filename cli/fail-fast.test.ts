// Every way a new user can point `vc` at the wrong thing ends within seconds with a stable code
// (issue 14, item 4): each case runs `vc` as its own process and asserts the exact code, that the
// process exits, and a generous bound on the time (the old behaviour took minutes or never ended).
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsBus, startSystem, type System } from '../actors/index.js';
import { createVerifierCa } from '../attestation/index.js';
import {
  computationIdFor,
  createIdentity,
  type GeneratedIdentity,
  loadPolicyFile,
  policyTextFromSpec,
  subjectsFor,
} from '../protocol/index.js';
import { identities, policyFor, wasmOf } from '../scenarios/testing/index.js';
import { hasBinary, requireResource } from '../test-support/requirements.js';
import {
  encodePlain,
  freePort,
  KvStore,
  natsServerBinary,
  NatsTransport,
  startNatsServer,
} from '../transport/index.js';

/** The default namespace's subjects. */
const S = subjectsFor();

const vc = fileURLToPath(new URL('../bin/vc.mjs', import.meta.url));
/** Far below the minutes these cases used to take; far above a slow CI machine's seconds. */
const BOUND_MS = 20_000;

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `vc ARGS` to its end (killed, and the test failed, if it outlives twice the bound). */
function runVc(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const started = Date.now();
  const child = spawn(process.execPath, [vc, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 2 * BOUND_MS);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

/**
 * Refused ERR_POLICY_HASH_MISMATCH naming both hashes (the client's policy file and the running
 * one), and nothing reached the running enclave.
 */
async function assertHashMismatch(
  ran: Ran,
  mine: string,
  runningHash: string,
  system: System,
  computation: string,
): Promise<void> {
  assertRefused(ran, 'ERR_POLICY_HASH_MISMATCH');
  assert.match(ran.stderr, new RegExp((await loadPolicyFile(mine)).hash));
  assert.match(ran.stderr, new RegExp(runningHash));
  const sent = (await system.journal(computation)).filter(
    (r) => r.subject === `vc.c.${computation}.enclave`,
  );
  assert.deepEqual(sent, [], 'nothing reached the enclave');
}

/** The command exited 1 with `code` on stderr, within the bound. */
function assertRefused(ran: Ran, code: string): void {
  assert.equal(ran.code, 1, `exit code (stderr: ${ran.stderr})`);
  assert.match(ran.stderr, new RegExp(`error ${code}:`), ran.stderr);
  assert.ok(ran.ms < BOUND_MS, `took ${ran.ms} ms`);
}

let dir: string;
let owner: GeneratedIdentity;
let stranger: GeneratedIdentity;
let policyFile: string;
let caPem: string;
const file = (name: string) => join(dir, name);
const program = wasmOf('random-source');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vc-fail-fast-'));
  const now = new Date();
  const ca = await createVerifierCa({
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 86400_000 * 30),
    random: (n) => new Uint8Array(randomBytes(n)),
  });
  caPem = ca.certificatePem;
  [owner, stranger] = (await identities(2)) as [GeneratedIdentity, GeneratedIdentity];
  for (const [name, id] of [
    ['owner', owner],
    ['stranger', stranger],
  ] as const) {
    await writeFile(file(`${name}.crt`), id.certificatePem);
    await writeFile(file(`${name}.key`), id.privateKeyPem);
  }
  await writeFile(file('program.wasm'), program);
  policyFile = file('policy.json');
  await writeFile(policyFile, policyText(owner, new Date(now.getTime() + 86400_000 * 7)));
});
after(async () => rm(dir, { recursive: true, force: true }));

function policyText(participant: GeneratedIdentity, expiry: Date): string {
  return policyTextFromSpec({
    participants: [{ identity: participant, capabilities: ['/program/:w', '/output/:r'] }],
    programs: [{ path: '/program/p.wasm', bytes: program, capabilities: [] }],
    proxyServiceCertPem: caPem,
    simMeasurements: ['ab'.repeat(32)],
    expiry,
  });
}

function client(extra: readonly string[], nats: string, policy = policyFile): Promise<Ran> {
  return runVc([
    'client',
    policy,
    '--identity',
    file('owner.crt'),
    '--key',
    file('owner.key'),
    '--nats',
    nats,
    ...extra,
  ]);
}

/** A TCP server on a free port: `greeting` is written to each connection (nothing when undefined). */
async function tcpServer(greeting: string | undefined): Promise<{ url: string; server: Server }> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    if (greeting !== undefined) socket.write(greeting);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `nats://127.0.0.1:${port}`, server };
}

const sockets = new Set<Socket>();

async function closeServer(server: Server): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function needsNats(t: TestContext): boolean {
  return requireResource(t, 'nats-server binary', hasBinary(natsServerBinary));
}

// --- 1. The bus is not there, or is not NATS, or lacks JetStream ---------------------------------

test('no server at the URL: ERR_NATS_UNREACHABLE naming the URL', async () => {
  const url = `nats://127.0.0.1:${await freePort()}`;
  const ran = await client(['--compute', '/program/p.wasm'], url);
  assertRefused(ran, 'ERR_NATS_UNREACHABLE');
  assert.match(ran.stderr, new RegExp(url));
});

test('a port that answers HTTP is not NATS: ERR_NOT_NATS', async () => {
  const { url, server } = await tcpServer('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
  try {
    assertRefused(await client(['--shutdown'], url), 'ERR_NOT_NATS');
  } finally {
    await closeServer(server);
  }
});

test('a port that accepts and says nothing is not NATS: ERR_NOT_NATS', async () => {
  const { url, server } = await tcpServer(undefined);
  try {
    const ran = await client(['--shutdown'], url);
    assertRefused(ran, 'ERR_NOT_NATS');
    assert.match(ran.stderr, new RegExp(url));
  } finally {
    await closeServer(server);
  }
});

test('NATS without JetStream: vc host and vc verifier exit 1 with ERR_NO_JETSTREAM', async (t) => {
  if (!needsNats(t)) return;
  const server = await startNatsServer({ jetstream: false });
  try {
    const simKey = file('sim-for-host.key');
    await writeFile(simKey, 'not read before the bus is checked');
    assertRefused(
      await runVc(['host', '--nats', server.url, '--sim-key', simKey]),
      'ERR_NO_JETSTREAM',
    );
    const ca = await createIdentity({ name: 'ca', now: new Date(), ca: true });
    await writeFile(file('ca.crt'), ca.certificatePem);
    await writeFile(file('ca.key'), ca.privateKeyPem);
    assertRefused(
      await runVc([
        'verifier',
        '--nats',
        server.url,
        '--ca-cert',
        file('ca.crt'),
        '--ca-key',
        file('ca.key'),
        '--store',
        file('verifier-state.json'),
        '--allow-simulation',
      ]),
      'ERR_NO_JETSTREAM',
    );
  } finally {
    await server.stop();
  }
});

test('vc scenario run --processes against NATS without JetStream or a non-NATS port: a code, not a blank screen', async (t) => {
  if (!needsNats(t)) return;
  const server = await startNatsServer({ jetstream: false });
  const silent = await tcpServer(undefined);
  try {
    const args = ['scenario', 'run', 'shamir', '--processes', '--journal', file('j.vcj')];
    assertRefused(await runVc([...args, '--nats', server.url]), 'ERR_NO_JETSTREAM');
    assertRefused(await runVc([...args, '--nats', silent.url]), 'ERR_NOT_NATS');
  } finally {
    await closeServer(silent.server);
    await server.stop();
  }
});

// --- 3. No enclave, or an enclave running another policy ----------------------------------------

test('no enclave for the policy: ERR_NO_ENCLAVE within seconds, naming the computation', async (t) => {
  if (!needsNats(t)) return;
  const server = await startNatsServer();
  try {
    const ran = await client(['--program', `/program/p.wasm=${file('program.wasm')}`], server.url);
    assertRefused(ran, 'ERR_NO_ENCLAVE');
    const policy = await loadPolicyFile(policyFile);
    assert.match(ran.stderr, new RegExp(computationIdFor(policy.hash)));
    assert.match(ran.stderr, new RegExp(policy.hash));
  } finally {
    await server.stop();
  }
});

test('an enclave running another policy: ERR_POLICY_HASH_MISMATCH with both hashes, nothing sent', async (t) => {
  if (!needsNats(t)) return;
  const server = await startNatsServer();
  let system: System | undefined;
  try {
    system = await startSystem({
      bus: await natsBus({ servers: server.url, journal: { kind: 'jetstream' } }),
    });
    const running = policyFor(system, {
      participants: [{ identity: owner, capabilities: ['/program/:w', '/output/:r'] }],
      programs: [{ path: '/program/p.wasm', bytes: program, capabilities: [] }],
    });
    const launched = await system.launch(running);
    const mine = file('other-policy.json');
    await writeFile(mine, policyText(owner, new Date(Date.now() + 86400_000 * 3)));
    const ran = await client(
      ['--computation', launched.computation, '--shutdown'],
      server.url,
      mine,
    );
    await assertHashMismatch(ran, mine, running.hash, system, launched.computation);
  } finally {
    await system?.stop();
    await server.stop();
  }
});

test('a policy one byte different from the running one: ERR_POLICY_HASH_MISMATCH from the registry, both hashes', async (t) => {
  if (!needsNats(t)) return;
  const server = await startNatsServer();
  let system: System | undefined;
  const registryConnection = await NatsTransport.connect({ servers: server.url, name: 'registry' });
  try {
    system = await startSystem({
      bus: await natsBus({ servers: server.url, journal: { kind: 'jetstream' } }),
      // the registry `vc host` keeps on NATS, where `vc client` looks when no enclave answers
      computations: await KvStore.open(registryConnection.connection, 'vc_computations'),
    });
    const running = policyFor(system, {
      participants: [{ identity: owner, capabilities: ['/program/:w', '/output/:r'] }],
      programs: [{ path: '/program/p.wasm', bytes: program, capabilities: [] }],
    });
    const launched = await system.launch(running);
    // The same policy with one byte more: another hash, hence another computation id.
    const mine = file('one-byte-more.json');
    await writeFile(mine, new Uint8Array([...running.bytes, 0x0a]));
    const ran = await client(['--shutdown'], server.url, mine);
    await assertHashMismatch(ran, mine, running.hash, system, launched.computation);
  } finally {
    await system?.stop();
    await registryConnection.close();
    await server.stop();
  }
});

test('vc client --timeout bounds a wait that nothing else ends', async (t) => {
  if (!needsNats(t)) return;
  const server = await startNatsServer();
  // Something answers the liveness pings for the policy's computation, so the participant says
  // hello and waits: nobody ever replies, and only --timeout ends the wait.
  const impostor = await NatsTransport.connect({ servers: server.url, name: 'impostor' });
  try {
    const policy = await loadPolicyFile(policyFile);
    const computation = computationIdFor(policy.hash);
    impostor.subscribe(S.live(computation), (msg) => {
      msg.respond(
        encodePlain({ computation, policyHash: policy.hash, session: 's', phase: '"ready"' }),
      );
    });
    await impostor.flush();
    const ran = await client(['--shutdown', '--timeout', '3'], server.url);
    assertRefused(ran, 'ERR_TIMEOUT');
    assert.ok(ran.ms >= 3000, `ended after ${ran.ms} ms, before its timeout`);
  } finally {
    await impostor.close();
    await server.stop();
  }
});

test('vc scenario run --timeout ends the run with ERR_TIMEOUT', async () => {
  // 20 ms: well below any whole run (launch and attestation alone take longer), so the bound, not
  // the run, ends it however fast the machine is (a 0.5 s bound stopped holding once vc started
  // from prebuilt bundles).
  const ran = await runVc([
    'scenario',
    'run',
    'number-stream',
    '--timeout',
    '0.02',
    '--journal',
    file('t.vcj'),
  ]);
  assertRefused(ran, 'ERR_TIMEOUT');
});

// --- 5. Checks before connecting: each wins even with --nats at a dead port ----------------------

test('checks before connecting win over a dead --nats', async () => {
  const dead = `nats://127.0.0.1:${await freePort()}`;
  await writeFile(file('plain-file'), 'x');
  const cases: [string, () => Promise<Ran>][] = [
    ['ERR_FILE_NOT_FOUND', () => client(['--data', `/input/d=${file('missing.dat')}`], dead)],
    [
      'ERR_OUTPUT_UNWRITABLE',
      () => client(['--result', `/output/r=${file('plain-file')}/r.dat`], dead),
    ],
    ['ERR_FILE_NOT_FOUND', () => client([], dead, file('no-policy.json'))],
    [
      'ERR_UNKNOWN_PARTICIPANT',
      () =>
        runVc([
          'client',
          policyFile,
          '--identity',
          file('stranger.crt'),
          '--key',
          file('stranger.key'),
          '--nats',
          dead,
          '--shutdown',
        ]),
    ],
    [
      'ERR_IDENTITY_KEY_MISMATCH',
      () =>
        runVc([
          'client',
          policyFile,
          '--identity',
          file('owner.crt'),
          '--key',
          file('stranger.key'),
          '--nats',
          dead,
          '--shutdown',
        ]),
    ],
    [
      'ERR_POLICY_EXPIRY_PASSED',
      async () => {
        const expired = file('expired-policy.json');
        await writeFile(expired, policyText(owner, new Date(Date.now() - 86400_000)));
        return client(['--shutdown'], dead, expired);
      },
    ],
    [
      'ERR_IDENTITY_CERTIFICATE_EXPIRED',
      async () => {
        const old = await createIdentity({
          name: 'old',
          now: new Date(Date.now() - 3 * 86400_000),
          validityDays: 1,
        });
        await writeFile(file('old.crt'), old.certificatePem);
        await writeFile(file('old.key'), old.privateKeyPem);
        const policy = file('old-policy.json');
        await writeFile(policy, policyText(old, new Date(Date.now() + 86400_000)));
        return runVc([
          'client',
          policy,
          '--identity',
          file('old.crt'),
          '--key',
          file('old.key'),
          '--nats',
          dead,
          '--shutdown',
        ]);
      },
    ],
  ];
  for (const [code, run] of cases) {
    const ran = await run();
    assertRefused(ran, code);
    assert.doesNotMatch(ran.stderr, /ERR_NATS_UNREACHABLE/);
  }
  const usage = await client(['--timeout', '0'], dead);
  assert.equal(usage.code, 2, usage.stderr);
  assert.match(usage.stderr, /error ERR_USAGE: --timeout/);
});

test('outputs that exist or cannot be written are refused before any work', async () => {
  await writeFile(file('taken.pem'), 'keep me');
  assertRefused(
    await runVc(['attest', 'sim-key', '--out', file('taken.pem')]),
    'ERR_OUTPUT_EXISTS',
  );
  assertRefused(
    await runVc(['attest', 'sim-key', '--out', join(file('taken.pem'), 'k.pem')]),
    'ERR_OUTPUT_UNWRITABLE',
  );
  const ids = file('ids');
  assert.equal((await runVc(['identity', 'new', '--name', 'a', '--out', ids])).code, 0);
  assertRefused(await runVc(['identity', 'new', '--name', 'a', '--out', ids]), 'ERR_OUTPUT_EXISTS');
  assertRefused(
    await runVc(['identity', 'new', '--name', 'b', '--out', join(file('taken.pem'), 'sub')]),
    'ERR_OUTPUT_UNWRITABLE',
  );
  assertRefused(
    await runVc(['scenario', 'prepare', 'shamir', '--out', join(file('taken.pem'), 'x')]),
    'ERR_OUTPUT_UNWRITABLE',
  );
  assertRefused(
    await runVc(['run', file('program.wasm'), '--output', join(file('taken.pem'), 'out')]),
    'ERR_OUTPUT_UNWRITABLE',
  );
});
