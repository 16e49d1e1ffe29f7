import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import { enclaveMachine } from './enclave-machine.js';
import type { EnclaveEvent } from './enclave-events.js';
import { drive, MachineDriver } from './drive.js';
import { checkUpload } from './enclave-rules.js';
import {
  CSR,
  EVIDENCE,
  NONCE,
  PROGRAM,
  enclaveInput,
  toServing,
  view,
} from './testing/fixtures.js';

const HASH = view.fileHashes[PROGRAM]!;

function serving() {
  const driver = new MachineDriver(enclaveMachine);
  driver.start(enclaveInput);
  for (const e of toServing) driver.send(e);
  return driver;
}

function replyOf(step: { outputs: readonly Record<string, unknown>[] }) {
  return step.outputs.find((o) => o.type === 'out.reply') as
    { kind: string; body: Record<string, unknown> } | undefined;
}

test('attestation phases are explicit states in order, then ready is announced', () => {
  const steps = drive(enclaveMachine, enclaveInput, toServing);
  assert.deepEqual(
    steps.map((s) => s.state),
    ['"keying"', '"challenging"', '"evidencing"', '"appraising"', '{"serving":"idle"}'],
  );
  assert.deepEqual(steps[0]!.outputs, [{ type: 'do.keys' }]);
  assert.equal((steps[1]!.outputs[0] as { kind: string }).kind, 'attest.start');
  assert.deepEqual(steps[2]!.outputs, [{ type: 'do.evidence', attestation: 'a1', nonce: NONCE }]);
  assert.deepEqual(steps[3]!.outputs, [
    {
      type: 'out.request',
      to: 'verifier',
      kind: 'attest.evidence',
      body: { attestation: 'a1', platform: 'sim', evidence: EVIDENCE, csr: CSR },
    },
  ]);
  const ready = steps[4]!.outputs[0] as {
    type: string;
    kind: string;
    body: { session: string; policyHash: string };
  };
  assert.equal(ready.kind, 'enclave.ready');
  assert.equal(ready.body.session, 's1');
  assert.equal(ready.body.policyHash, enclaveInput.policyHash);
});

test('a verifier refusal is a final failed state with the typed reason', () => {
  const steps = drive(enclaveMachine, enclaveInput, [
    { type: 'io.keys.ready', session: 's1' },
    { type: 'protocol.error', failure: { code: 'ERR_MEASUREMENT_NOT_ALLOWED', message: 'no' } },
  ]);
  const last = steps.at(-1)!;
  assert.equal(last.state, '"failed"');
  assert.equal(last.status, 'done');
  assert.deepEqual(last.outputs, [{ type: 'do.stop', reason: 'ERR_MEASUREMENT_NOT_ALLOWED' }]);
});

test('requests before ready are refused with ERR_WRONG_PHASE', () => {
  const steps = drive(enclaveMachine, enclaveInput, [
    {
      type: 'provision.program',
      ref: 'r1',
      from: 0,
      path: PROGRAM,
      size: 3,
      data: 'd-r1',
      hash: HASH,
    },
  ]);
  assert.equal(replyOf(steps[1]!)?.body.code, 'ERR_WRONG_PHASE');
  assert.equal(steps[1]!.state, '"keying"');
});

test('program provisioning: rights, file hash, then write and ack', () => {
  const d = serving();
  const denied = d.send({
    type: 'provision.program',
    ref: 'r1',
    from: 1,
    path: PROGRAM,
    size: 3,
    data: 'd-r1',
    hash: HASH,
  });
  assert.equal(replyOf(denied)?.body.code, 'ERR_ACCESS_DENIED');
  const badHash = d.send({
    type: 'provision.program',
    ref: 'r2',
    from: 0,
    path: PROGRAM,
    size: 3,
    data: 'd-r2',
    hash: '00'.repeat(32),
  });
  assert.equal(replyOf(badHash)?.body.code, 'ERR_FILE_HASH_MISMATCH');
  const unknown = d.send({
    type: 'provision.program',
    ref: 'r3',
    from: 9,
    path: PROGRAM,
    size: 3,
    data: 'd-r3',
    hash: HASH,
  });
  assert.equal(replyOf(unknown)?.body.code, 'ERR_UNKNOWN_PARTICIPANT');
  const ok = d.send({
    type: 'provision.program',
    ref: 'r4',
    from: 0,
    path: PROGRAM,
    size: 3,
    data: 'd-r4',
    hash: HASH,
  });
  assert.equal(ok.state, '{"serving":"writing"}');
  assert.deepEqual(ok.outputs, [
    { type: 'do.write', ref: 'r4', path: PROGRAM, mode: 'write', data: 'd-r4' },
  ]);
  const acked = d.send({ type: 'io.written', ref: 'r4' });
  assert.deepEqual(replyOf(acked), {
    type: 'out.reply',
    ref: 'r4',
    kind: 'provision.ack',
    body: { path: PROGRAM, received: 3, complete: true },
  });
  assert.ok(d.snapshot!.context.files.includes(PROGRAM));
});

test('an append to a path pinned by file_hashes is refused even when its bytes hash right', () => {
  const d = serving();
  const append = d.send({
    type: 'provision.data',
    ref: 'r1',
    from: 0,
    path: PROGRAM,
    size: 3,
    mode: 'append',
    data: 'd-r1',
    hash: HASH,
  });
  assert.equal(replyOf(append)?.body.code, 'ERR_FILE_HASH_MISMATCH');
  assert.equal(append.state, '{"serving":"idle"}');
  assert.deepEqual(d.snapshot!.context.files, []);
  assert.equal(
    checkUpload(view, { from: 0, path: PROGRAM, mode: 'append' })?.code,
    'ERR_FILE_HASH_MISMATCH',
  );
  assert.equal(checkUpload(view, { from: 0, path: PROGRAM, mode: 'write' }), undefined);
});

test('execution needs x and a provisioned program; results need r and an execution', () => {
  const d = serving();
  const replyKey = new Uint8Array([4, 5, 6]);
  const early = d.send({ type: 'result.read', ref: 'r0', from: 2, path: '/output/out', replyKey });
  assert.equal(replyOf(early)?.body.code, 'ERR_NO_RESULT');
  const missing = d.send({ type: 'compute.request', ref: 'r1', from: 2, program: PROGRAM });
  assert.equal(replyOf(missing)?.body.code, 'ERR_PROGRAM_NOT_FOUND');
  d.send({
    type: 'provision.program',
    ref: 'r2',
    from: 0,
    path: PROGRAM,
    size: 3,
    data: 'd-r2',
    hash: HASH,
  });
  d.send({ type: 'io.written', ref: 'r2' });
  const noX = d.send({ type: 'compute.request', ref: 'r3', from: 1, program: PROGRAM });
  assert.equal(replyOf(noX)?.body.code, 'ERR_ACCESS_DENIED');
  const run = d.send({ type: 'compute.request', ref: 'r4', from: 2, program: PROGRAM });
  assert.equal(run.state, '{"serving":"executing"}');
  assert.deepEqual(run.outputs[0], {
    type: 'do.execute',
    ref: 'r4',
    from: 2,
    target: PROGRAM,
    programs: [PROGRAM],
  });
  const done = d.send({ type: 'io.executed', ref: 'r4', exitCode: 0, files: ['/output/out'] });
  assert.deepEqual(replyOf(done)?.body, { target: PROGRAM, exitCode: 0 });
  const noR = d.send({ type: 'result.read', ref: 'r5', from: 1, path: '/output/out', replyKey });
  assert.equal(replyOf(noR)?.body.code, 'ERR_ACCESS_DENIED');
  const read = d.send({ type: 'result.read', ref: 'r6', from: 2, path: '/output/out', replyKey });
  assert.deepEqual(read.outputs.at(-1), {
    type: 'do.read',
    ref: 'r6',
    path: '/output/out',
    replyKey,
  });
  const data = d.send({ type: 'io.read', ref: 'r6', size: 12, sealed: 's-r6' });
  assert.deepEqual(replyOf(data)?.body, { path: '/output/out', sealed: 's-r6', size: 12 });
});

test('a failing program is ERR_PROGRAM_FAILED with its exit code', () => {
  const d = serving();
  d.send({
    type: 'provision.program',
    ref: 'r1',
    from: 0,
    path: PROGRAM,
    size: 3,
    data: 'd-r1',
    hash: HASH,
  });
  d.send({ type: 'io.written', ref: 'r1' });
  d.send({ type: 'compute.request', ref: 'r2', from: 2, program: PROGRAM });
  const failed = d.send({ type: 'io.executed', ref: 'r2', exitCode: 1, files: [] });
  assert.equal(replyOf(failed)?.body.code, 'ERR_PROGRAM_FAILED');
  assert.deepEqual(replyOf(failed)?.body.details, { exitCode: 1 });
  assert.equal(failed.state, '{"serving":"idle"}');
});

test('pipelines: unknown name, then every program must be provisioned', () => {
  const d = serving();
  const unknown = d.send({ type: 'compute.request', ref: 'r1', from: 2, pipeline: 'zz' });
  assert.equal(replyOf(unknown)?.body.code, 'ERR_PIPELINE_NOT_FOUND');
  d.send({
    type: 'provision.program',
    ref: 'r2',
    from: 0,
    path: '/program/a.wasm',
    size: 1,
    data: 'd-r2',
  });
  d.send({ type: 'io.written', ref: 'r2' });
  const half = d.send({ type: 'compute.request', ref: 'r3', from: 2, pipeline: 'ab' });
  assert.equal(replyOf(half)?.body.code, 'ERR_PROGRAM_NOT_FOUND');
  d.send({
    type: 'provision.program',
    ref: 'r4',
    from: 0,
    path: '/program/b.wasm',
    size: 1,
    data: 'd-r4',
  });
  d.send({ type: 'io.written', ref: 'r4' });
  const run = d.send({ type: 'compute.request', ref: 'r5', from: 2, pipeline: 'ab' });
  assert.deepEqual(run.outputs[0], {
    type: 'do.execute',
    ref: 'r5',
    from: 2,
    target: 'ab',
    programs: ['/program/a.wasm', '/program/b.wasm'],
    pipeline: 'ab',
  });
});

test('shutdown: any participant under the default rule', () => {
  const d = serving();
  const step = d.send({ type: 'shutdown.request', ref: 'r1', from: 1 });
  assert.equal(step.state, '"shutDown"');
  assert.equal(step.status, 'done');
  assert.deepEqual(
    step.outputs.map((o) => o.type),
    ['out.reply', 'out.publish', 'do.stop'],
  );
});

test('shutdown: consensus waits for everyone named', () => {
  const d = new MachineDriver(enclaveMachine);
  d.start({ ...enclaveInput, view: { ...view, shutdown: { rule: 'consensus', of: [0, 2] } } });
  for (const e of toServing) d.send(e);
  const outsider = d.send({ type: 'shutdown.request', ref: 'r0', from: 1 });
  assert.equal(replyOf(outsider)?.body.code, 'ERR_ACCESS_DENIED');
  const first = d.send({ type: 'shutdown.request', ref: 'r1', from: 0 });
  assert.deepEqual(replyOf(first)?.body, { shutDown: false, waitingFor: [2] });
  const again = d.send({ type: 'shutdown.request', ref: 'r2', from: 0 });
  assert.deepEqual(replyOf(again)?.body, { shutDown: false, waitingFor: [2] });
  const last = d.send({ type: 'shutdown.request', ref: 'r3', from: 2 });
  assert.equal(last.state, '"shutDown"');
});

test('a live actor emits the same outputs as the pure driver', () => {
  const events: EnclaveEvent[] = [
    ...toServing,
    {
      type: 'provision.program',
      ref: 'r1',
      from: 0,
      path: PROGRAM,
      size: 3,
      data: 'd-r1',
      hash: HASH,
    },
    { type: 'io.written', ref: 'r1' },
  ];
  const pure = drive(enclaveMachine, enclaveInput, events).flatMap((s) => s.outputs);
  const live: unknown[] = [];
  const actor = createActor(enclaveMachine, { input: enclaveInput });
  actor.on('*', (e) => live.push(e));
  actor.start();
  for (const e of events) actor.send(e);
  assert.deepEqual(live, pure);
});
