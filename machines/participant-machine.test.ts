import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drive, type DrivenStep } from './drive.js';
import {
  participantMachine,
  type ParticipantEvent,
  type ParticipantInput,
} from './participant-machine.js';

const input: ParticipantInput = {
  computation: 'p1',
  participant: 0,
  policyHash: 'cd'.repeat(32),
  steps: [
    { op: 'program', path: '/program/a.wasm', source: 'a.wasm' },
    { op: 'compute', program: '/program/a.wasm' },
    { op: 'result', path: '/output/o', destination: '-' },
  ],
};
const ready: ParticipantEvent = {
  type: 'enclave.ready',
  from: 'k:enclave',
  session: 's1',
  policyHash: input.policyHash,
  platform: 'sim',
  chain: ['leaf', 'ca'],
};
const hpkeKey = new Uint8Array([4, 2]);
const verified: ParticipantEvent = { type: 'io.enclave.verified', hpkeKey };
const ack = { path: '/program/a.wasm', received: 3 };
const computed = { target: '/program/a.wasm', exitCode: 0 };

const requestsIn = (steps: ReturnType<typeof drive>) =>
  steps
    .flatMap((s) => s.outputs)
    .filter((o) => o.type === 'out.request' && o.kind !== 'session.hello');

test('the plan runs step by step after the enclave check passes', () => {
  const steps = drive(participantMachine, input, [
    ready,
    verified,
    { type: 'provision.ack', ref: 'step-0', body: ack },
    { type: 'compute.done', ref: 'step-1', body: computed },
    { type: 'result.data', ref: 'step-2', body: { path: '/output/o', size: 3 } },
  ]);
  assert.deepEqual(
    steps.map((s) => s.state),
    ['"connecting"', '"checking"', '"working"', '"working"', '"working"', '"done"'],
  );
  assert.deepEqual(
    requestsIn(steps).map((o) => [o.ref, o.kind]),
    [
      ['step-0', 'provision.program'],
      ['step-1', 'compute.request'],
      ['step-2', 'result.read'],
    ],
  );
  const enclave = { id: 'k:enclave', session: 's1', chain: ['leaf', 'ca'], hpkeKey };
  assert.deepEqual(steps[1]!.outputs, [
    { type: 'do.verify-enclave', enclave: { ...enclave, hpkeKey: new Uint8Array() } },
  ]);
  for (const request of requestsIn(steps)) assert.deepEqual(request['to'], enclave);
  const done = steps.at(-1)!.outputs[0] as { type: string; outcomes: unknown[] };
  assert.equal(done.type, 'do.done');
  assert.equal(done.outcomes.length, 3);
});

test('a different policy hash is refused before any check and nothing is sent', () => {
  const steps = drive(participantMachine, input, [{ ...ready, policyHash: 'ef'.repeat(32) }]);
  assert.equal(steps.at(-1)!.state, '"refused"');
  assert.deepEqual(steps.at(-1)!.outputs, [
    {
      type: 'do.stop',
      failure: { code: 'ERR_POLICY_HASH_MISMATCH', message: 'the enclave runs a different policy' },
    },
  ]);
  assert.equal(requestsIn(steps).length, 0);
});

test('each failed enclave check is a refusal with its code and no step is sent', () => {
  for (const code of [
    'ERR_ATTESTATION_CHAIN',
    'ERR_ENCLAVE_CERT_EXPIRED',
    'ERR_MEASUREMENT_NOT_ALLOWED',
  ] as const) {
    const steps: DrivenStep[] = drive(participantMachine, input, [
      ready,
      { type: 'io.enclave.rejected', failure: { code, message: 'x' } },
    ]);
    assert.equal(steps.at(-1)!.state, '"refused"');
    assert.equal((steps.at(-1)!.outputs[0] as { failure: { code: string } }).failure.code, code);
    assert.equal(requestsIn(steps).length, 0, code);
  }
});

test('steps are not sent while checking, even if replies are injected', () => {
  const steps = drive(participantMachine, input, [
    ready,
    { type: 'provision.ack', ref: 'step-0', body: ack },
    { type: 'compute.done', ref: 'step-1', body: computed },
  ]);
  assert.equal(steps.at(-1)!.state, '"checking"');
  assert.equal(requestsIn(steps).length, 0);
});

test('an error reply ends the participant in failed with the enclave code', () => {
  const steps = drive(participantMachine, input, [
    ready,
    verified,
    {
      type: 'protocol.error',
      ref: 'step-0',
      failure: { code: 'ERR_ACCESS_DENIED', message: 'no' },
    },
  ]);
  assert.equal(steps.at(-1)!.state, '"failed"');
  assert.equal(
    (steps.at(-1)!.outputs[0] as { failure: { code: string } }).failure.code,
    'ERR_ACCESS_DENIED',
  );
});

test('a reply for another step or of the wrong kind is a failure, not progress', () => {
  const wrongRef = drive(participantMachine, input, [
    ready,
    verified,
    { type: 'provision.ack', ref: 'step-7', body: ack },
  ]);
  assert.equal(wrongRef.at(-1)!.state, '"failed"');
  const wrongKind = drive(participantMachine, input, [
    ready,
    verified,
    { type: 'result.data', ref: 'step-0', body: { path: '/output/o', size: 3 } },
  ]);
  assert.equal(wrongKind.at(-1)!.state, '"failed"');
});

test('an empty plan finishes right after the check', () => {
  const steps = drive(participantMachine, { ...input, steps: [] }, [ready, verified]);
  assert.equal(steps.at(-1)!.state, '"done"');
});
