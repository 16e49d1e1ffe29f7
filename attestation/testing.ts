// A ready-made attestation world for tests (ours and other areas'): a verifier CA, a sim platform
// key endorsed in a memory store, the measured runtime as a reference value, and a policy-like
// object naming the CA. Not used by production code.
import { randomBytes } from 'node:crypto';
import {
  generateSimAttestationKey,
  type SimAttestationKey,
} from '../enclave/evidence/sim-attestation-key.js';
import { createSimAttester, type Attester } from '../enclave/evidence/attester.js';
import { measureRuntime } from '../enclave/evidence/measurement.js';
import { createVerifierCa, type NewCa } from './ca/ca-identity.js';
import { toHex } from './bytes.js';
import type { RelyingPartyPolicy } from './relying-party.js';
import { MemoryStore } from './store/memory-store.js';
import type { StateStore } from './store/state-store.js';
import { Verifier, type VerifierConfig } from './verifier/verifier.js';

export interface SimWorld {
  readonly clock: { now: Date };
  readonly ca: NewCa;
  readonly store: StateStore;
  readonly verifier: Verifier;
  readonly simKey: SimAttestationKey;
  readonly attester: Attester;
  readonly measurement: string;
  readonly policyHash: string;
  readonly policyExpiry: Date;
  readonly policy: RelyingPartyPolicy;
}

export async function createSimWorld(
  options: {
    start?: Date;
    config?: Partial<VerifierConfig>;
    store?: StateStore;
    policyExpiry?: Date;
  } = {},
): Promise<SimWorld> {
  const clock = { now: options.start ?? new Date('2026-03-01T12:00:00Z') };
  const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
  const ca = await createVerifierCa({
    notBefore: new Date(clock.now.getTime() - 3600_000),
    notAfter: new Date(clock.now.getTime() + 365 * 86400_000),
    random,
  });
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
  const { measurement } = await measureRuntime();
  await verifier.registry.addReference('sim', measurement, 'measurement', 'this checkout');
  const policyExpiry = options.policyExpiry ?? new Date(clock.now.getTime() + 7 * 86400_000);
  const policyHash = toHex(random(32));
  const policy: RelyingPartyPolicy = {
    hash: policyHash,
    policy: {
      proxyServiceCert: ca.certificatePem,
      enclaveCertExpiry: policyExpiry,
      runtimeManagerHashes: { linux: null, nitro: null, sevsnp: null },
      extensions: { runtimeHashes: { sim: [measurement] } },
    },
  };
  return {
    clock,
    ca,
    store,
    verifier,
    simKey,
    attester: await createSimAttester(simKey),
    measurement,
    policyHash,
    policyExpiry,
    policy,
  };
}
