// Arm PSA initial attestation tokens: COSE_Sign1 ES256 of profile `http://arm.com/psa/2.0.0` or the
// legacy PSA_IOT_PROFILE_1 (claim keys -75000...). The signing key is the one endorsed for the token's
// instance id (whatever that id is: RFC 9783 does not make it a hash of the key), or, offline with a
// key given, that key whatever the instance id. The certificate measurement is the last software component's
// measurement value (TF-M lists the non-secure image, where a runtime would live, last).
import { asBytes, asInteger, asMap, asText, decodeCbor } from '../cbor.js';
import { equalBytes, toHex } from '../bytes.js';
import { parseCoseSign1 } from '../cose.js';
import { verifyWithEndorsedKey } from '../endorsement-keys.js';
import { fail } from '../errors.js';
import type { AppraisalOptions, AppraisedEvidence, PlatformPlugin } from './types.js';

export const PSA_PROFILE_2 = 'http://arm.com/psa/2.0.0';
const PSA_PROFILE_IOT_1 = 'PSA_IOT_PROFILE_1';

interface ClaimKeys {
  profile: number;
  nonce: number;
  instanceId: number;
  clientId: number;
  lifecycle: number;
  implementationId: number;
  bootSeed: number;
  components: number;
  verificationService: number;
  certification: number;
}

const P2: ClaimKeys = {
  profile: 265,
  nonce: 10,
  instanceId: 256,
  clientId: 2394,
  lifecycle: 2395,
  implementationId: 2396,
  bootSeed: 2397,
  certification: 2398,
  components: 2399,
  verificationService: 2400,
};

const IOT1: ClaimKeys = {
  profile: -75000,
  clientId: -75001,
  lifecycle: -75002,
  implementationId: -75003,
  bootSeed: -75004,
  certification: -75005,
  components: -75006,
  nonce: -75008,
  instanceId: -75009,
  verificationService: -75010,
};

interface PsaComponent {
  readonly type: string | undefined;
  readonly measurement: string;
  readonly version: string | undefined;
  readonly signerId: string | undefined;
  readonly description: string | undefined;
}

function keysFor(claims: Map<unknown, unknown>): { profile: string; keys: ClaimKeys } {
  if (claims.has(P2.profile)) {
    const profile = asText(claims.get(P2.profile), 'profile');
    if (profile !== PSA_PROFILE_2) fail('ERR_EVIDENCE_MALFORMED', `unknown PSA profile ${profile}`);
    return { profile, keys: P2 };
  }
  const legacy = claims.get(IOT1.profile);
  if (legacy === PSA_PROFILE_IOT_1) return { profile: legacy, keys: IOT1 };
  return fail('ERR_EVIDENCE_MALFORMED', 'no known PSA profile claim');
}

function component(value: unknown): PsaComponent {
  const map = asMap(value, 'software component');
  const optText = (k: number): string | undefined =>
    map.has(k) ? asText(map.get(k), 'component field') : undefined;
  return {
    type: optText(1),
    measurement: toHex(asBytes(map.get(2), 'measurement-value')),
    version: optText(4),
    signerId: map.has(5) ? toHex(asBytes(map.get(5), 'signer-id')) : undefined,
    description: optText(6),
  };
}

/** PSA security lifecycle: only the "secured" state (0x3000..0x30ff) is a production device. */
export function isDebugLifecycle(lifecycle: number): boolean {
  return (lifecycle & 0xff00) !== 0x3000;
}

export async function appraisePsa(
  evidence: Uint8Array,
  options: AppraisalOptions,
): Promise<AppraisedEvidence> {
  const sign1 = parseCoseSign1(evidence, ['ES256']);
  // The key is chosen by the instance id inside the payload, so the payload is decoded once to find
  // it; no claim is used before the signature has verified.
  const unverified = asMap(decodeCbor(sign1.payload), 'PSA claims');
  const { keys } = keysFor(unverified);
  const instanceId = toHex(asBytes(unverified.get(keys.instanceId), 'instance id'));
  await verifyWithEndorsedKey(sign1, options, instanceId);

  const claims = asMap(decodeCbor(sign1.payload), 'PSA claims');
  const { profile } = keysFor(claims);
  const nonce = asBytes(claims.get(keys.nonce), 'nonce');
  if (options.expectedNonce && !equalBytes(nonce, options.expectedNonce)) {
    fail('ERR_ATTESTATION_NONCE_MISMATCH', 'PSA nonce claim is not the expected nonce');
  }
  const rawComponents = claims.get(keys.components);
  if (!Array.isArray(rawComponents) || rawComponents.length === 0) {
    fail('ERR_EVIDENCE_MALFORMED', 'PSA token has no software components');
  }
  const components = rawComponents.map(component);
  if (options.allowedMeasurements) {
    const bad = components.filter((c) => !options.allowedMeasurements?.has(c.measurement));
    if (bad.length > 0) {
      fail(
        'ERR_MEASUREMENT_NOT_ALLOWED',
        'software component measurement not among the reference values',
        {
          components: bad.map((c) => ({ type: c.type, measurement: c.measurement })),
        },
      );
    }
  }
  const lifecycle = asInteger(claims.get(keys.lifecycle), 'security lifecycle');
  const debug = isDebugLifecycle(lifecycle);
  if (debug && !options.allowDebug)
    fail(
      'ERR_ATTESTATION_DEBUG',
      `PSA security lifecycle 0x${lifecycle.toString(16)} is not secured`,
    );
  const last = components[components.length - 1];
  return {
    platform: 'psa',
    measurement: last?.measurement ?? '',
    nonce,
    instanceId,
    csrHash: undefined,
    policyHash: undefined,
    debug,
    insecure: false,
    timestamp: undefined,
    claims: {
      profile,
      nonce: toHex(nonce),
      instanceId,
      implementationId: toHex(asBytes(claims.get(keys.implementationId), 'implementation id')),
      clientId: asIntegerSigned(claims.get(keys.clientId)),
      securityLifecycle: `0x${lifecycle.toString(16)}`,
      bootSeed: claims.has(keys.bootSeed)
        ? toHex(asBytes(claims.get(keys.bootSeed), 'boot seed'))
        : undefined,
      certificationReference: optionalText(claims, keys.certification, 'certification reference'),
      verificationService: optionalText(claims, keys.verificationService, 'verification service'),
      softwareComponents: components,
    },
  };
}

/** Claims PSA defines as text; anything else would reach printed claims as a value JSON cannot hold. */
function optionalText(
  claims: Map<unknown, unknown>,
  key: number,
  what: string,
): string | undefined {
  return claims.has(key) ? asText(claims.get(key), what) : undefined;
}

function asIntegerSigned(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

export const psaPlugin: PlatformPlugin = { name: 'psa', appraise: appraisePsa };
