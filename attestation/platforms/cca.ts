// Arm CCA attestation tokens (draft-ffm-rats-cca-token): a CBOR-tagged collection of two COSE_Sign1
// tokens, the CCA platform token (key 44234, signed by the platform's CPAK, ES256 or ES384) and the
// realm delegated token (key 44241, signed by the Realm Attestation Key whose public key is the realm
// claim 44237). Two encodings: tag 907 whose values are [263, bstr] (263 = the CoAP content format
// of a COSE_Sign1), and the draft-00 tag 399 whose values are the bstr itself; inside each bstr a
// COSE_Sign1 tagged 18.
//
// Checks, in order: the platform signature with the CPAK endorsed for the platform instance id
// (claim 256) or, offline, the key given; the realm signature with the RAK the realm token carries;
// the binding between them (platform challenge = H(exact bytes of claim 44237), H named by realm
// claim 44240); the realm challenge (claim 10, 64 bytes) as the nonce; the platform security
// lifecycle (secured 0x3000..0x30ff, else debug); the RIM (claim 44238) as the measurement, and the
// REMs (44239) and personalization value (44235) as further reference values.
import { asBytes, asInteger, asMap, asText, decodeCbor, isTag } from '../cbor.js';
import { equalBytes, sha2, toHex } from '../bytes.js';
import { parseCoseSign1, verifyCoseSign1, type CoseSign1 } from '../cose.js';
import { verifyWithEndorsedKey } from '../endorsement-keys.js';
import { fail } from '../errors.js';
import { isDebugLifecycle } from './psa.js';
import { webcrypto } from 'node:crypto';
import type { AppraisalOptions, AppraisedEvidence, PlatformPlugin } from './types.js';

const TAG_COLLECTION = 907;
const TAG_DRAFT_00 = 399;
const CONTENT_FORMAT_COSE_SIGN1 = 263;
const PLATFORM_TOKEN = 44234;
const REALM_TOKEN = 44241;

const PLATFORM_PROFILES = ['tag:arm.com,2023:cca_platform#1.0.0', 'http://arm.com/CCA-SSD/1.0.0'];
const REALM_PROFILES = ['tag:arm.com,2023:realm#1.0.0', 'tag:arm.com,2024:realm#2.0.0'];

const P = {
  profile: 265,
  challenge: 10,
  instanceId: 256,
  lifecycle: 2395,
  implementationId: 2396,
  components: 2399,
  verificationService: 2400,
  config: 2401,
  hashAlgorithm: 2402,
} as const;

const R = {
  profile: 265,
  challenge: 10,
  instanceId: 256,
  personalization: 44235,
  hashAlgorithm: 44236,
  rak: 44237,
  rim: 44238,
  rems: 44239,
  rakHashAlgorithm: 44240,
  mecPolicy: 44243,
} as const;

/** IANA "Named Information Hash Algorithm" names the tokens use, to Node's names. */
const HASHES: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
};

/** The two signed tokens of a collection, still encoded. */
function splitCollection(evidence: Uint8Array): { platform: Uint8Array; realm: Uint8Array } {
  const top = decodeCbor(evidence);
  if (!isTag(top) || (top.tag !== TAG_COLLECTION && top.tag !== TAG_DRAFT_00))
    fail('ERR_EVIDENCE_MALFORMED', 'not a CCA token (CBOR tag 907 or 399)');
  const collection = asMap(top.value, 'CCA token collection');
  if (collection.size !== 2)
    fail('ERR_EVIDENCE_MALFORMED', 'a CCA token holds exactly a platform and a realm token');
  const entry = (key: number, what: string): Uint8Array => {
    const value = collection.get(key);
    if (top.tag === TAG_DRAFT_00) return asBytes(value, what);
    if (!Array.isArray(value) || value.length !== 2 || value[0] !== CONTENT_FORMAT_COSE_SIGN1)
      fail('ERR_EVIDENCE_MALFORMED', `${what} is not [263, bstr]`);
    return asBytes(value[1], what);
  };
  return {
    platform: entry(PLATFORM_TOKEN, 'platform token'),
    realm: entry(REALM_TOKEN, 'realm token'),
  };
}

function parseTagged(bytes: Uint8Array, what: string): CoseSign1 {
  const sign1 = parseCoseSign1(bytes, ['ES256', 'ES384']);
  if (!sign1.tagged) fail('ERR_EVIDENCE_MALFORMED', `${what} is not a tagged COSE_Sign1`);
  return sign1;
}

function hashNamed(value: unknown, what: string): 'sha256' | 'sha384' | 'sha512' {
  const name = asText(value, what);
  const hash = HASHES[name];
  if (!hash) fail('ERR_EVIDENCE_MALFORMED', `${what} "${name}" is not supported`);
  return hash;
}

/** The RAK: a COSE_Key EC2 map (current profiles) or a raw SEC1 uncompressed point (legacy). */
async function importRak(encoded: Uint8Array): Promise<webcrypto.CryptoKey> {
  let point: Uint8Array;
  let curve: string;
  if (encoded[0] === 0x04 && (encoded.length === 97 || encoded.length === 65)) {
    point = encoded;
    curve = encoded.length === 97 ? 'P-384' : 'P-256';
  } else {
    const key = asMap(decodeCbor(encoded), 'realm attestation key');
    const crv = key.get(-1);
    if (key.get(1) !== 2 || (crv !== 1 && crv !== 2))
      fail('ERR_EVIDENCE_MALFORMED', 'realm attestation key is not an EC2 P-256/P-384 COSE_Key');
    const size = crv === 2 ? 48 : 32;
    const x = asBytes(key.get(-2), 'RAK x');
    const y = asBytes(key.get(-3), 'RAK y');
    if (x.length !== size || y.length !== size)
      fail('ERR_EVIDENCE_MALFORMED', 'realm attestation key coordinates have the wrong length');
    point = Uint8Array.of(0x04, ...x, ...y);
    curve = crv === 2 ? 'P-384' : 'P-256';
  }
  try {
    return await webcrypto.subtle.importKey(
      'raw',
      point,
      { name: 'ECDSA', namedCurve: curve },
      true,
      ['verify'],
    );
  } catch {
    return fail('ERR_EVIDENCE_MALFORMED', 'realm attestation key is not a point on its curve');
  }
}

function optional<T>(
  claims: Map<unknown, unknown>,
  key: number,
  read: (value: unknown) => T,
): T | undefined {
  return claims.has(key) ? read(claims.get(key)) : undefined;
}

function hexOf(value: unknown, what: string): string {
  return toHex(asBytes(value, what));
}

function component(value: unknown): Record<string, string | undefined> {
  const map = asMap(value, 'software component');
  const text = (k: number): string | undefined =>
    optional(map, k, (v) => asText(v, 'component field'));
  return {
    type: text(1),
    measurement: hexOf(map.get(2), 'measurement-value'),
    version: text(4),
    signerId: optional(map, 5, (v) => hexOf(v, 'signer-id')),
    hashAlgorithm: text(6),
  };
}

/** Each listed reference kind (rem0..rem3, personalization) must match one of its values. */
function checkExpectedValues(
  expected: ReadonlyMap<string, ReadonlySet<string>> | undefined,
  actual: ReadonlyMap<string, string>,
): void {
  for (const [kind, allowed] of expected ?? []) {
    const value = actual.get(kind);
    if (value === undefined || !allowed.has(value))
      fail('ERR_MEASUREMENT_NOT_ALLOWED', `CCA ${kind} is not among the reference values`, {
        kind,
        value,
      });
  }
}

export async function appraiseCca(
  evidence: Uint8Array,
  options: AppraisalOptions,
): Promise<AppraisedEvidence> {
  const tokens = splitCollection(evidence);

  // Platform token: the key is chosen by the instance id inside the payload; no claim is used before
  // the signature has verified.
  const platformSign1 = parseTagged(tokens.platform, 'platform token');
  const unverifiedPlatform = asMap(decodeCbor(platformSign1.payload), 'CCA platform claims');
  const instanceId = hexOf(unverifiedPlatform.get(P.instanceId), 'platform instance id');
  await verifyWithEndorsedKey(platformSign1, options, instanceId);
  const platform = asMap(decodeCbor(platformSign1.payload), 'CCA platform claims');
  const platformProfile = asText(platform.get(P.profile), 'platform profile');
  if (!PLATFORM_PROFILES.includes(platformProfile))
    fail('ERR_EVIDENCE_MALFORMED', `unknown CCA platform profile ${platformProfile}`);

  // Realm token: signed by the RAK it carries, which the platform token must bind.
  const realmSign1 = parseTagged(tokens.realm, 'realm token');
  const unverifiedRealm = asMap(decodeCbor(realmSign1.payload), 'CCA realm claims');
  await verifyCoseSign1(
    realmSign1,
    await importRak(asBytes(unverifiedRealm.get(R.rak), 'realm attestation key')),
  );
  const realm = asMap(decodeCbor(realmSign1.payload), 'CCA realm claims');
  const rak = asBytes(realm.get(R.rak), 'realm attestation key');
  const rakHash = hashNamed(realm.get(R.rakHashAlgorithm), 'realm public key hash algorithm');
  const platformChallenge = asBytes(platform.get(P.challenge), 'platform challenge');
  if (!equalBytes(platformChallenge, sha2(rakHash, rak)))
    fail(
      'ERR_EVIDENCE_KEY_BINDING',
      'the CCA platform challenge is not the hash of the realm attestation key',
    );
  const realmProfile = optional(realm, R.profile, (v) => asText(v, 'realm profile'));
  if (realmProfile !== undefined && !REALM_PROFILES.includes(realmProfile))
    fail('ERR_EVIDENCE_MALFORMED', `unknown CCA realm profile ${realmProfile}`);

  const challenge = asBytes(realm.get(R.challenge), 'realm challenge');
  if (challenge.length !== 64) fail('ERR_EVIDENCE_MALFORMED', 'realm challenge is not 64 bytes');
  if (options.expectedNonce && !equalBytes(challenge, options.expectedNonce))
    fail('ERR_ATTESTATION_NONCE_MISMATCH', 'CCA realm challenge is not the expected nonce');

  const lifecycle = asInteger(platform.get(P.lifecycle), 'security lifecycle');
  const debug = isDebugLifecycle(lifecycle);
  if (debug && !options.allowDebug)
    fail(
      'ERR_ATTESTATION_DEBUG',
      `CCA platform security lifecycle 0x${lifecycle.toString(16)} is not secured`,
    );

  const rim = hexOf(realm.get(R.rim), 'realm initial measurement');
  const rawRems = realm.get(R.rems);
  if (!Array.isArray(rawRems) || rawRems.length !== 4)
    fail('ERR_EVIDENCE_MALFORMED', 'realm extensible measurements are not four byte strings');
  const rems = rawRems.map((v) => hexOf(v, 'realm extensible measurement'));
  const personalization = hexOf(realm.get(R.personalization), 'realm personalization value');
  if (options.allowedMeasurements && !options.allowedMeasurements.has(rim))
    fail(
      'ERR_MEASUREMENT_NOT_ALLOWED',
      'realm initial measurement not among the reference values',
      {
        rim,
      },
    );
  checkExpectedValues(
    options.expectedValues,
    new Map([
      ...rems.map((rem, i): [string, string] => [`rem${i}`, rem]),
      ['personalization', personalization],
    ]),
  );

  const rawComponents = platform.get(P.components);
  if (!Array.isArray(rawComponents))
    fail('ERR_EVIDENCE_MALFORMED', 'CCA platform software components are not a list');
  return {
    platform: 'cca',
    measurement: rim,
    nonce: challenge,
    instanceId,
    csrHash: undefined,
    policyHash: undefined,
    debug,
    insecure: false,
    timestamp: undefined,
    claims: {
      platform: {
        profile: platformProfile,
        challenge: toHex(platformChallenge),
        instanceId,
        implementationId: hexOf(platform.get(P.implementationId), 'implementation id'),
        securityLifecycle: `0x${lifecycle.toString(16)}`,
        config: optional(platform, P.config, (v) => hexOf(v, 'platform config')),
        hashAlgorithm: optional(platform, P.hashAlgorithm, (v) => asText(v, 'hash algorithm')),
        verificationService: optional(platform, P.verificationService, (v) =>
          asText(v, 'verification service'),
        ),
        softwareComponents: rawComponents.map(component),
      },
      realm: {
        profile: realmProfile,
        challenge: toHex(challenge),
        instanceId: optional(realm, R.instanceId, (v) => hexOf(v, 'realm instance id')),
        personalizationValue: personalization,
        hashAlgorithm: asText(realm.get(R.hashAlgorithm), 'realm hash algorithm'),
        publicKey: toHex(rak),
        publicKeyHashAlgorithm: asText(realm.get(R.rakHashAlgorithm), 'RAK hash algorithm'),
        initialMeasurement: rim,
        extensibleMeasurements: rems,
        mecPolicy: optional(realm, R.mecPolicy, (v) =>
          typeof v === 'string' ? v : asInteger(v, 'MEC policy'),
        ),
      },
    },
  };
}

export const ccaPlugin: PlatformPlugin = { name: 'cca', appraise: appraiseCca };
