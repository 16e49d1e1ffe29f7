// A ready-made attestation world for tests (ours and other areas'): a real policy (protocol/policy's
// fixture, parsed) whose proxy_service_cert is the verifier CA and whose runtime_hashes.sim pins this
// checkout's measured runtime; a sim platform key endorsed in a store; the measurement as a
// reference value. Not used by production code.
import { randomBytes } from 'node:crypto';
import {
  generateSimAttestationKey,
  type SimAttestationKey,
  createSimAttester,
  type Attester,
  measureRuntime,
} from '../../enclave/index.js';
import { makeTestPolicy, type TestPolicy } from '../../protocol/testing/index.js';
import { parsePolicy } from '../../protocol/index.js';
import type { CaIdentity } from '../ca/ca-identity.js';
import type { RelyingPartyPolicy } from '../relying-party.js';
import { MemoryStore, type StateStore } from '../../transport/index.js';
import { Verifier, type VerifierConfig } from '../verifier/verifier.js';

export interface SimWorld {
  readonly clock: { now: Date };
  readonly ca: CaIdentity & { readonly certificatePem: string };
  readonly store: StateStore;
  readonly verifier: Verifier;
  readonly simKey: SimAttestationKey;
  readonly attester: Attester;
  readonly measurement: string;
  readonly policyHash: string;
  /** The expiry told to the verifier: the policy's own unless overridden. */
  readonly policyExpiry: Date;
  readonly policy: RelyingPartyPolicy;
  readonly fixture: TestPolicy;
}

export async function createSimWorld(
  options: {
    start?: Date;
    config?: Partial<VerifierConfig>;
    store?: StateStore;
    /** Overrides the expiry the verifier is told (the policy file keeps its own, a year ahead). */
    policyExpiry?: Date;
    /** More accepted runtime measurements by platform (e.g. a synthetic TDX MRTD), beside sim's. */
    runtimeHashes?: Record<string, string[]>;
  } = {},
): Promise<SimWorld> {
  const clock = { now: options.start ?? new Date('2026-03-01T12:00:00Z') };
  const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
  const { measurement } = await measureRuntime();
  const fixture = await makeTestPolicy({
    now: clock.now,
    extensions: { runtimeHashes: { sim: [measurement], ...options.runtimeHashes } },
  });
  const policy = parsePolicy(new TextEncoder().encode(fixture.text), { now: clock.now });
  const ca = fixture.verifier;
  const store = options.store ?? new MemoryStore();
  const verifier = new Verifier({
    store,
    ca,
    clock: () => clock.now,
    random,
    config: { allowSimulation: true, ...options.config },
  });
  const simKey = await generateSimAttestationKey();
  await verifier.registry.addKey('sim', simKey.publicKeyPem, 'test platform key');
  await verifier.registry.addReference('sim', measurement, 'measurement', 'this checkout');
  return {
    clock,
    ca,
    store,
    verifier,
    simKey,
    attester: await createSimAttester(simKey),
    measurement,
    policyHash: policy.hash,
    policyExpiry: options.policyExpiry ?? policy.policy.enclaveCertExpiry,
    policy,
    fixture,
  };
}
