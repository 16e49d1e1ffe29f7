// Evidence production inside the enclave. An `Attester` is the platform's signing service: for
// `sim` it wraps a platform attestation key the host launcher provides (never a key in this code);
// for real hardware it would call the platform (Nitro NSM, PSA initial attestation).
import type { webcrypto } from 'node:crypto';
import {
  type EvidenceBinding,
  signCoseSign1,
  instanceIdOf,
  encodeSimClaims,
  type PlatformName,
} from '../../attestation/index.js';

export interface Attester {
  readonly platform: PlatformName;
  /** True when the evidence carries no hardware guarantee (sim). */
  readonly insecure: boolean;
  attest(binding: EvidenceBinding, measurement: string): Promise<Uint8Array>;
}

/** `key` is the sim platform attestation private key (ECDSA P-256) from the launcher. */
export async function createSimAttester(key: {
  privateKey: webcrypto.CryptoKey;
  publicKey: webcrypto.CryptoKey;
}): Promise<Attester> {
  const instanceId = await instanceIdOf(key.publicKey);
  return {
    platform: 'sim',
    insecure: true,
    async attest(binding, measurement) {
      const payload = encodeSimClaims({ ...binding, instanceId, measurement });
      return signCoseSign1(payload, key.privateKey, 'ES256');
    },
  };
}
