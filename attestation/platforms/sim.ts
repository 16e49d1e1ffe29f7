// Appraisal of `sim` evidence (see sim-token.ts). The result is always marked insecure; whether a
// verifier accepts it at all is the verifier's configuration (strict mode refuses it).
import { asMap, decodeCbor } from '../cbor.js';
import { equalBytes, toHex } from '../bytes.js';
import { parseCoseSign1 } from '../cose.js';
import { verifyWithEndorsedKey } from '../endorsement-keys.js';
import { fail } from '../errors.js';
import { decodeSimClaims, SIM_PROFILE, simInstanceId } from './sim-token.js';
import type { AppraisalOptions, AppraisedEvidence, PlatformPlugin } from './types.js';

async function appraiseSim(
  evidence: Uint8Array,
  options: AppraisalOptions,
): Promise<AppraisedEvidence> {
  const sign1 = parseCoseSign1(evidence, ['ES256']);
  const instanceId = simInstanceId(asMap(decodeCbor(sign1.payload), 'sim claims'));
  await verifyWithEndorsedKey(sign1, options, instanceId);
  const claims = decodeSimClaims(asMap(decodeCbor(sign1.payload), 'sim claims'));
  if (options.expectedNonce && !equalBytes(claims.nonce, options.expectedNonce)) {
    fail('ERR_ATTESTATION_NONCE_MISMATCH', 'sim nonce claim is not the expected nonce');
  }
  if (options.allowedMeasurements && !options.allowedMeasurements.has(claims.measurement)) {
    fail('ERR_MEASUREMENT_NOT_ALLOWED', 'runtime measurement is not among the reference values', {
      measurement: claims.measurement,
    });
  }
  return {
    platform: 'sim',
    measurement: claims.measurement,
    nonce: claims.nonce,
    instanceId,
    csrHash: claims.csrHash,
    policyHash: claims.policyHash,
    debug: false,
    insecure: true,
    timestamp: undefined,
    claims: {
      INSECURE: 'simulated attestation: no hardware guarantee',
      profile: SIM_PROFILE,
      nonce: toHex(claims.nonce),
      instanceId,
      measurement: claims.measurement,
      csrHash: toHex(claims.csrHash),
      policyHash: toHex(claims.policyHash),
      insecure: true,
    },
  };
}

export const simPlugin: PlatformPlugin = { name: 'sim', appraise: appraiseSim };
