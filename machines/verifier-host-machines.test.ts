import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drive } from './drive.js';
import { verifierMachine } from './verifier-machine.js';
import { hostMachine } from './host-machine.js';

const start = {
  type: 'attest.start',
  ref: 'q1',
  platform: 'sim',
  policyHash: 'ab'.repeat(32),
} as const;

test('verifier: challenge, evidence, appraisal, issued', () => {
  const steps = drive(verifierMachine, { computation: 'p1' }, [
    start,
    { type: 'io.challenge', attestation: 'a1', expiresAt: 10 },
    { type: 'attest.evidence', ref: 'q2', attestation: 'a1' },
    { type: 'io.appraised', serial: '01' },
  ]);
  assert.deepEqual(
    steps.map((s) => s.state),
    ['"idle"', '"challenging"', '"awaitingEvidence"', '"appraising"', '"issued"'],
  );
  assert.deepEqual(steps[1]!.outputs, [
    { type: 'do.challenge', platform: 'sim', policyHash: start.policyHash },
  ]);
  assert.deepEqual(steps[2]!.outputs[0], {
    type: 'out.reply',
    ref: 'q1',
    kind: 'attest.challenge',
    body: { attestation: 'a1', expiresAt: 10 },
  });
  assert.equal((steps[4]!.outputs[0] as { kind: string; ref: string }).kind, 'attest.certificate');
  assert.equal((steps[4]!.outputs[0] as { ref: string }).ref, 'q2');
});

test('verifier: a rejected appraisal is final and replies with the code', () => {
  const steps = drive(verifierMachine, { computation: 'p1' }, [
    start,
    { type: 'io.challenge', attestation: 'a1', expiresAt: 10 },
    { type: 'attest.evidence', ref: 'q2', attestation: 'a1' },
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

test('verifier: evidence for another session is refused; expiry is final', () => {
  const steps = drive(verifierMachine, { computation: 'p1' }, [
    start,
    { type: 'io.challenge', attestation: 'a1', expiresAt: 10 },
    { type: 'attest.evidence', ref: 'q2', attestation: 'zz' },
    { type: 'timer.expired' },
  ]);
  assert.equal(
    (steps[3]!.outputs[0] as { body: { code: string } }).body.code,
    'ERR_ATTESTATION_FAILED',
  );
  assert.equal(steps[3]!.state, '"awaitingEvidence"');
  assert.equal(steps[4]!.state, '"expired"');
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
