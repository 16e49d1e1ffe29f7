import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drive } from './drive.js';
import { verifierMachine, type VerifierEvent } from './verifier-machine.js';
import { hostMachine } from './host-machine.js';

const policyHash = 'ab'.repeat(32);
const start: VerifierEvent = {
  type: 'attest.start',
  ref: 'q1',
  from: 'k:enclave',
  platform: 'sim',
  policyHash,
  policy: { hash: policyHash, enclaveCertExpiry: 99 },
};
const nonce = new Uint8Array([1, 2]);
const submission = {
  attestation: 'a1',
  platform: 'sim',
  evidence: new Uint8Array([3]),
  csr: new Uint8Array([4]),
};
const evidence: VerifierEvent = {
  type: 'attest.evidence',
  ref: 'q2',
  from: 'k:enclave',
  submission,
};

test('verifier: challenge, evidence, appraisal, issued', () => {
  const steps = drive(verifierMachine, { computation: 'p1' }, [
    start,
    { type: 'io.challenge', attestation: 'a1', nonce, expiresAt: 10 },
    evidence,
    { type: 'io.appraised', serial: '01', chain: ['leaf', 'ca'] },
  ]);
  assert.deepEqual(
    steps.map((s) => s.state),
    ['"idle"', '"challenging"', '"awaitingEvidence"', '"appraising"', '"issued"'],
  );
  assert.deepEqual(steps[1]!.outputs, [
    {
      type: 'do.challenge',
      computation: 'p1',
      platform: 'sim',
      policyHash,
      enclaveCertExpiry: 99,
    },
  ]);
  assert.deepEqual(steps[2]!.outputs[0], {
    type: 'out.reply',
    ref: 'q1',
    kind: 'attest.challenge',
    body: { attestation: 'a1', nonce, expiresAt: 10 },
  });
  assert.deepEqual(steps[3]!.outputs, [{ type: 'do.appraise', enclave: 'k:enclave', submission }]);
  assert.deepEqual(steps[4]!.outputs[0], {
    type: 'out.reply',
    ref: 'q2',
    kind: 'attest.certificate',
    body: { attestation: 'a1', chain: ['leaf', 'ca'] },
  });
});

test('verifier: a rejected appraisal is final and replies with the code', () => {
  const steps = drive(verifierMachine, { computation: 'p1' }, [
    start,
    { type: 'io.challenge', attestation: 'a1', nonce, expiresAt: 10 },
    evidence,
    { type: 'io.rejected', failure: { code: 'ERR_ATTESTATION_CSR_MISMATCH', message: 'csr' } },
  ]);
  const last = steps.at(-1)!;
  assert.equal(last.state, '"rejected"');
  assert.equal(last.status, 'done');
  assert.deepEqual(last.outputs[0], {
    type: 'out.reply',
    ref: 'q2',
    kind: 'protocol.error',
    body: { code: 'ERR_ATTESTATION_CSR_MISMATCH', message: 'csr' },
  });
});

test('verifier: evidence for another session or from another sender is refused; expiry is final', () => {
  const steps = drive(verifierMachine, { computation: 'p1' }, [
    start,
    { type: 'io.challenge', attestation: 'a1', nonce, expiresAt: 10 },
    { ...evidence, submission: { ...submission, attestation: 'zz' } },
    { ...evidence, from: 'k:other' },
    { type: 'timer.expired' },
  ]);
  for (const step of [steps[3]!, steps[4]!]) {
    assert.equal(
      (step.outputs[0] as { body: { code: string } }).body.code,
      'ERR_ATTESTATION_FAILED',
    );
    assert.equal(step.state, '"awaitingEvidence"');
  }
  assert.equal(steps[5]!.state, '"expired"');
});

test('verifier: policy bytes without the announced hash are refused before any challenge', () => {
  const steps = drive(verifierMachine, { computation: 'p1' }, [
    { ...start, policy: { hash: 'cd'.repeat(32), enclaveCertExpiry: 99 } },
  ]);
  assert.equal(steps[1]!.state, '"rejected"');
  assert.deepEqual(steps[1]!.outputs, [
    {
      type: 'out.reply',
      ref: 'q1',
      kind: 'protocol.error',
      body: {
        code: 'ERR_POLICY_HASH_MISMATCH',
        message: 'the policy bytes do not have the announced hash',
      },
    },
  ]);
});

test('host: launch, spawn, serve, exit', () => {
  const steps = drive(hostMachine, { host: 'h1' }, [
    {
      type: 'host.launch',
      ref: 'l1',
      computation: 'p1',
      platform: 'sim',
      policyHash: 'ab'.repeat(32),
    },
    { type: 'io.spawned', worker: 'w1' },
    { type: 'enclave.ready', session: 's1' },
    { type: 'io.exited', exitCode: 0 },
  ]);
  assert.deepEqual(
    steps.map((s) => s.state),
    ['"idle"', '"spawning"', '"running"', '"serving"', '"exited"'],
  );
  assert.deepEqual(steps[2]!.outputs[0], {
    type: 'out.reply',
    ref: 'l1',
    kind: 'host.launched',
    body: { computation: 'p1', host: 'h1', worker: 'w1' },
  });
});

test('host: a failed spawn replies ERR_LAUNCH_FAILED and ends failed', () => {
  const steps = drive(hostMachine, { host: 'h1' }, [
    {
      type: 'host.launch',
      ref: 'l1',
      computation: 'p1',
      platform: 'sim',
      policyHash: 'ab'.repeat(32),
    },
    { type: 'io.spawn.failed', failure: { code: 'ERR_INTERNAL', message: 'no binary' } },
  ]);
  assert.equal(steps.at(-1)!.state, '"failed"');
  assert.equal(
    (steps.at(-1)!.outputs[0] as { body: { code: string } }).body.code,
    'ERR_LAUNCH_FAILED',
  );
});

test('host: a worker that dies before its enclave is ready announces the shutdown', () => {
  const launch = {
    type: 'host.launch',
    ref: 'l1',
    computation: 'p1',
    platform: 'sim',
    policyHash: 'ab'.repeat(32),
  } as const;
  const early = drive(hostMachine, { host: 'h1' }, [
    launch,
    { type: 'io.spawned', worker: 'w1' },
    { type: 'io.exited', exitCode: 3 },
  ]);
  assert.equal(early.at(-1)!.state, '"failed"');
  assert.deepEqual(early.at(-1)!.outputs, [
    {
      type: 'out.publish',
      kind: 'enclave.shutdown',
      body: { session: 'none', reason: 'ERR_LAUNCH_FAILED: worker exited with 3' },
    },
  ]);
  const late = drive(hostMachine, { host: 'h1' }, [
    launch,
    { type: 'io.spawned', worker: 'w1' },
    { type: 'enclave.ready', session: 's1' },
    { type: 'io.exited', exitCode: 3 },
  ]);
  assert.equal(late.at(-1)!.state, '"failed"');
  assert.deepEqual(late.at(-1)!.outputs, [], 'a ready enclave announces its own shutdown');
});
