// Phase 6: a participant refuses to send anything secret when the enclave's chain is wrong, its
// measurement is not in the policy, its policy hash differs, or its certificate has expired. Each
// case ends the participant in `refused` with the check's code, and the journal shows that it sent
// nothing but its opening `session.hello`. A policy hash that differs is seen earlier, in the
// enclave's liveness answer: the participant ends `failed` with both hashes and sends nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createVerifierCa } from '../../attestation/index.js';
import type { Step } from '../../machines/index.js';
import {
  identities,
  kindsSentBy,
  policyFor,
  wasmOf,
  type SystemPolicySpec,
} from '../../scenarios/testing/index.js';
import { runParty } from './run-computation.js';
import { memoryBus } from '../system/system-bus.js';
import { startSystem, type System } from '../system/system.js';
import type { ErrorCode } from '../../protocol/index.js';

const program = '/program/linear-regression.wasm';
const wasm = wasmOf('linear-regression');
const steps: Step[] = [{ op: 'program', path: program, source: 'wasm' }];

let honest: System;
before(async () => {
  honest = await startSystem({ bus: memoryBus() });
});
after(async () => honest.stop());

async function expectRefusal(
  system: System,
  code: ErrorCode,
  options: { measurements?: string[]; participantPolicyDiffers?: boolean; clock?: () => Date } = {},
): Promise<void> {
  const early = options.participantPolicyDiffers === true;
  const [owner, other] = await identities(2);
  const spec: SystemPolicySpec = {
    participants: [{ identity: owner!, capabilities: ['/program/:wx', '/output/:r'] }],
    programs: [{ path: program, bytes: wasm, capabilities: ['/input/:r', '/output/:w'] }],
    ...(options.measurements ? { simMeasurements: options.measurements } : {}),
  };
  const policy = policyFor(system, spec);
  const launched = await system.launch(policy, { verify: false });
  const participantPolicy = options.participantPolicyDiffers
    ? policyFor(system, {
        ...spec,
        participants: [...spec.participants, { identity: other!, capabilities: ['/input/:w'] }],
      })
    : policy;
  const outcome = await runParty(
    {
      bus: system.bus,
      policy: participantPolicy,
      computation: launched.computation,
      ...(options.clock ? { clock: options.clock } : {}),
    },
    { identity: owner!, steps, sources: { wasm } },
  );
  assert.equal(outcome.state, early ? 'failed' : 'refused');
  assert.equal(outcome.failure?.code, code);
  if (early) {
    assert.match(outcome.failure?.message ?? '', new RegExp(participantPolicy.hash));
    assert.match(outcome.failure?.message ?? '', new RegExp(policy.hash));
  }
  await system.bus.flush();
  assert.deepEqual(
    await kindsSentBy(system, launched.computation, owner!),
    early ? [] : ['session.hello'],
  );
}

test('a chain that does not lead to proxy_service_cert is refused (ERR_ATTESTATION_CHAIN)', async () => {
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const now = new Date();
  const rogue = await createVerifierCa({
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 86400_000),
    random,
  });
  const system = await startSystem({ bus: memoryBus(), rogueIssuer: rogue });
  try {
    await expectRefusal(system, 'ERR_ATTESTATION_CHAIN');
  } finally {
    await system.stop();
  }
});

test('a measurement not among the policy runtime hashes is refused (ERR_MEASUREMENT_NOT_ALLOWED)', async () => {
  await expectRefusal(honest, 'ERR_MEASUREMENT_NOT_ALLOWED', {
    measurements: ['ab'.repeat(32)],
  });
});

test('an enclave running another policy is refused (ERR_POLICY_HASH_MISMATCH)', async () => {
  await expectRefusal(honest, 'ERR_POLICY_HASH_MISMATCH', {
    participantPolicyDiffers: true,
  });
});

test('an expired enclave certificate is refused (ERR_ENCLAVE_CERT_EXPIRED)', async () => {
  const later = () => new Date(Date.now() + 2 * 86400_000); // after the 24 h certificate lifetime
  await expectRefusal(honest, 'ERR_ENCLAVE_CERT_EXPIRED', { clock: later });
});
