// The `sim` platform's evidence: a PSA-style COSE_Sign1 (tag 18, ES256) signed by a platform
// attestation key that the host launcher holds outside the enclave code. It is insecure by
// construction (whoever holds that key can forge evidence), and says so in the token itself.
//
// Claims (CBOR map, integer keys; PSA 2.0.0 keys where PSA has one):
//   265    profile              "http://veracruz-ts.invalid/attestation/sim/1"
//   10     nonce                the verifier's challenge nonce (bstr)
//   256    instance id          0x01 || SHA-256(uncompressed point of the platform key) (bstr, 33)
//   2399   software components  [{1: "veracruz-ts-enclave-runtime", 2: measurement (bstr 32), 6: "sha-256"}]
//   -80000 insecure             true (always; a token without it is malformed)
//   -80001 csr hash             SHA-256 of the DER CSR (bstr 32)
//   -80002 policy hash          SHA-256 of the policy file (bstr 32)
import { asBytes, asMap, asText, encodeCbor } from '../cbor.js';
import { fromHex, toHex } from '../bytes.js';
import { fail } from '../errors.js';

export const SIM_PROFILE = 'http://veracruz-ts.invalid/attestation/sim/1';
const SIM_COMPONENT = 'veracruz-ts-enclave-runtime';
const SIM_CLAIM = {
  profile: 265,
  nonce: 10,
  instanceId: 256,
  components: 2399,
  insecure: -80000,
  csrHash: -80001,
  policyHash: -80002,
} as const;

export interface SimClaims {
  readonly nonce: Uint8Array;
  readonly instanceId: string;
  /** Lowercase hex SHA-256. */
  readonly measurement: string;
  readonly csrHash: Uint8Array;
  readonly policyHash: Uint8Array;
}

export function encodeSimClaims(claims: SimClaims): Uint8Array {
  return encodeCbor(
    new Map<number, unknown>([
      [SIM_CLAIM.profile, SIM_PROFILE],
      [SIM_CLAIM.nonce, claims.nonce],
      [SIM_CLAIM.instanceId, fromHex(claims.instanceId)],
      [
        SIM_CLAIM.components,
        [
          new Map<number, unknown>([
            [1, SIM_COMPONENT],
            [2, fromHex(claims.measurement)],
            [6, 'sha-256'],
          ]),
        ],
      ],
      [SIM_CLAIM.insecure, true],
      [SIM_CLAIM.csrHash, claims.csrHash],
      [SIM_CLAIM.policyHash, claims.policyHash],
    ]),
  );
}

export function decodeSimClaims(map: Map<unknown, unknown>): SimClaims {
  if (map.get(SIM_CLAIM.profile) !== SIM_PROFILE)
    fail('ERR_EVIDENCE_MALFORMED', 'not a sim attestation token');
  if (map.get(SIM_CLAIM.insecure) !== true)
    fail('ERR_EVIDENCE_MALFORMED', 'sim token lacks its insecure marker');
  const components = map.get(SIM_CLAIM.components);
  if (!Array.isArray(components) || components.length !== 1)
    fail('ERR_EVIDENCE_MALFORMED', 'sim token needs one component');
  const component = asMap(components[0], 'software component');
  if (asText(component.get(1), 'component type') !== SIM_COMPONENT)
    fail('ERR_EVIDENCE_MALFORMED', 'unknown sim component');
  const measurement = asBytes(component.get(2), 'measurement');
  const csrHash = asBytes(map.get(SIM_CLAIM.csrHash), 'csr hash');
  const policyHash = asBytes(map.get(SIM_CLAIM.policyHash), 'policy hash');
  if (measurement.length !== 32 || csrHash.length !== 32 || policyHash.length !== 32) {
    fail('ERR_EVIDENCE_MALFORMED', 'sim token digests must be 32 bytes');
  }
  return {
    nonce: asBytes(map.get(SIM_CLAIM.nonce), 'nonce'),
    instanceId: toHex(asBytes(map.get(SIM_CLAIM.instanceId), 'instance id')),
    measurement: toHex(measurement),
    csrHash,
    policyHash,
  };
}

/** Reads the instance id before verification, to pick the key (nothing else is used unverified). */
export function simInstanceId(map: Map<unknown, unknown>): string {
  return toHex(asBytes(map.get(SIM_CLAIM.instanceId), 'instance id'));
}
