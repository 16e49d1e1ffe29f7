// Proof by mutation (issue 15): the measurement covers the access rules. A copy of the runtime
// sources with the read-permission check disabled (one line of machines/enclave-rules.ts) builds
// into a bundle with another measurement; that bundle really runs as an enclave worker process over
// a real nats-server, is attested by the verifier (which knows its measurement), and participants
// whose policy pins this checkout's runtime refuse it with ERR_MEASUREMENT_NOT_ALLOWED before they
// provision anything; under a policy that accepts it, it hands a result to a party with no read
// right. The unmodified runtime, run the same way, is accepted and refuses that read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRuntimeBundle, ensureRuntimeBundle, measureRuntime } from '../../enclave/index.js';
import type { Step } from '../../machines/index.js';
import { exampleNamed } from '../../sdk/index.js';
import { identities, kindsSentBy, policyFor, wasmOf } from '../../scenarios/testing/index.js';
import { hasBinary, requireResource } from '../../test-support/requirements.js';
import { natsServerBinary, startNatsServer, type NatsServer } from '../../transport/index.js';
import { natsBus } from '../system/system-bus.js';
import { startSystem, type System } from '../system/system.js';
import { runParty } from './run-computation.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const available = hasBinary(natsServerBinary);
const program = '/program/linear-regression.wasm';
const wasm = wasmOf('linear-regression');
const steps: Step[] = [{ op: 'program', path: program, source: 'wasm' }];

// A party with no read right runs a program and asks for its output: what the read check refuses.
const randomProgram = '/program/random-source.wasm';
const randomWasm = wasmOf('random-source');
const randomOutput = exampleNamed('random-source').outputs[0]!;
const readWithoutRight: Step[] = [
  { op: 'program', path: randomProgram, source: 'wasm' },
  { op: 'compute', program: randomProgram },
  { op: 'result', path: randomOutput, destination: 'out' },
];

/** Runs `readWithoutRight` against an enclave of `system` whose policy accepts `measurement`. */
async function readWithoutReadRight(system: System, measurement: string) {
  const [party] = await identities(1, 'no-read');
  const policy = policyFor(system, {
    participants: [{ identity: party!, capabilities: ['/program/:wx'] }],
    programs: [{ path: randomProgram, bytes: randomWasm, capabilities: ['/output/:w'] }],
    simMeasurements: [measurement],
  });
  const launched = await system.launch(policy);
  assert.equal(launched.enclave?.measurement, measurement);
  return runParty(
    { bus: system.bus, policy, computation: launched.computation },
    { identity: party!, steps: readWithoutRight, sources: { wasm: randomWasm } },
  );
}

/** The line of the read-permission check, and what the attacker makes of it. */
const READ_CHECK = "  if (!mayDo(ctx.view, event.from, 'read', event.path)) {";
const READ_CHECK_DISABLED = '  if (false) {';

let server: NatsServer | undefined;
let copy: string | undefined;
before(async () => {
  if (available) server = await startNatsServer();
});
after(async () => {
  await server?.stop();
  if (copy) await rm(copy, { recursive: true, force: true });
});

const sha256 = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/** The runtime's sources in a fresh folder elsewhere, sharing this checkout's node_modules. */
async function copyRuntimeSources(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vc-runtime-copy-'));
  for (const folder of ['actors', 'attestation', 'enclave', 'machines', 'protocol', 'transport'])
    await cp(join(root, folder), join(dir, folder), {
      recursive: true,
      filter: (source) => !source.endsWith('.test.ts'),
    });
  for (const file of ['package.json', 'package-lock.json', 'tsconfig.json'])
    await cp(join(root, file), join(dir, file));
  await symlink(await realpath(join(root, 'node_modules')), join(dir, 'node_modules'), 'dir');
  return dir;
}

async function startWorkerSystem(runtimeBundle?: string): Promise<System> {
  return startSystem({
    bus: await natsBus({ servers: server!.url, journal: { kind: 'recorder' } }),
    workers: 'process',
    ...(runtimeBundle === undefined ? {} : { runtimeBundle }),
  });
}

test('a runtime with the read check disabled measures differently: participants refuse it before provisioning (where it would leak a result)', async (t) => {
  if (!requireResource(t, 'nats-server binary', available)) return;
  const honest = await measureRuntime({ bundle: await ensureRuntimeBundle() });
  copy = await copyRuntimeSources();

  // Built elsewhere from the same sources, the bundle has the same bytes.
  const unmodified = await buildRuntimeBundle({
    root: copy,
    outFile: join(copy, 'dist', 'unmodified.mjs'),
  });
  assert.equal(await sha256(unmodified), honest.bundleSha256);

  const rules = join(copy, 'machines', 'enclave-rules.ts');
  const source = await readFile(rules, 'utf8');
  assert.equal(source.split(READ_CHECK).length, 2, 'the read check is one line of the rules');
  await writeFile(rules, source.replace(READ_CHECK, READ_CHECK_DISABLED));
  const mutatedBundle = await buildRuntimeBundle({
    root: copy,
    outFile: join(copy, 'dist', 'mutated.mjs'),
  });
  const mutated = await measureRuntime({ bundle: mutatedBundle });
  assert.notEqual(mutated.bundleSha256, honest.bundleSha256);
  assert.notEqual(mutated.measurement, honest.measurement);

  const system = await startWorkerSystem(mutatedBundle);
  try {
    assert.equal(system.measurement, honest.measurement);
    const [owner] = await identities(1);
    const policy = policyFor(system, {
      participants: [{ identity: owner!, capabilities: ['/program/:wx', '/output/:r'] }],
      programs: [{ path: program, bytes: wasm, capabilities: ['/input/:r', '/output/:w'] }],
    });
    const launched = await system.launch(policy, { verify: false });
    const outcome = await runParty(
      { bus: system.bus, policy, computation: launched.computation },
      { identity: owner!, steps, sources: { wasm } },
    );
    assert.equal(outcome.state, 'refused');
    assert.equal(outcome.failure?.code, 'ERR_MEASUREMENT_NOT_ALLOWED');
    // The certificate the participant refused was issued for the mutated runtime's evidence: that
    // worker process ran the mutated bundle and measured it.
    assert.equal(outcome.failure?.details?.['measurement'], mutated.measurement);
    await system.bus.flush();
    const sent = await kindsSentBy(system, launched.computation, owner!);
    assert.deepEqual(sent, ['session.hello']);
    assert.ok(!sent.some((kind) => kind.startsWith('provision.')));

    // What the mutation does, for a policy that (wrongly) accepts that runtime: a party with no
    // read right gets the output. The code running in the worker process is the mutated one.
    const leaked = await readWithoutReadRight(system, mutated.measurement);
    assert.equal(leaked.failure, undefined, JSON.stringify(leaked.failure));
    assert.ok(leaked.results.get('out')!.length > 0);
  } finally {
    await system.stop();
  }
});

test('the unmodified runtime bundle in a worker process is accepted, and refuses a read without the right', async (t) => {
  if (!requireResource(t, 'nats-server binary', available)) return;
  const system = await startWorkerSystem();
  try {
    const [owner] = await identities(1);
    const policy = policyFor(system, {
      participants: [{ identity: owner!, capabilities: ['/program/:wx', '/output/:r'] }],
      programs: [{ path: program, bytes: wasm, capabilities: ['/input/:r', '/output/:w'] }],
    });
    const launched = await system.launch(policy);
    assert.equal(launched.enclave?.measurement, system.measurement);
    const outcome = await runParty(
      { bus: system.bus, policy, computation: launched.computation },
      { identity: owner!, steps, sources: { wasm } },
    );
    assert.equal(outcome.failure, undefined, JSON.stringify(outcome.failure));
    await system.bus.flush();
    assert.ok(
      (await kindsSentBy(system, launched.computation, owner!)).includes('provision.program'),
    );
    // The unmodified read check refuses a party with no read right.
    const refused = await readWithoutReadRight(system, system.measurement);
    assert.equal(refused.failure?.code, 'ERR_ACCESS_DENIED');
  } finally {
    await system.stop();
  }
});
