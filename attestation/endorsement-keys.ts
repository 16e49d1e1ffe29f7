// Platform keys and the instance ids they are endorsed for. RFC 9783 makes PSA's instance id an
// identifier of the attestation key; 0x01 followed by the SHA-256 of the key's uncompressed EC point
// is its example and our default (the sim platform always uses it), but a key may be endorsed for
// any instance id (CCA's test platforms, devices whose id is not a hash of the key).
import { webcrypto } from 'node:crypto';
import { concatBytes, pemBlocks, sha256, toHex } from './bytes.js';
import { importEcPublicKey, verifyCoseSign1, type CoseSign1 } from './cose.js';
import { AttestationError, fail } from './errors.js';
import type { AppraisalOptions, EndorsedKey } from './platforms/types.js';

export async function instanceIdOf(key: webcrypto.CryptoKey): Promise<string> {
  const raw = new Uint8Array(await webcrypto.subtle.exportKey('raw', key));
  return toHex(concatBytes(Uint8Array.of(0x01), sha256(raw)));
}

/**
 * Endorsed keys imported so far, by their SPKI (hex), oldest first (bounded): the verifier reads its
 * registry's key records for every appraisal (so a removed key is gone at once) but imports each
 * key's bytes once; the key and its instance id are immutable.
 */
const endorsedKeys = new Map<string, Promise<EndorsedKey>>();
const MAX_ENDORSED_KEYS = 256;

export function endorsedKeyFromSpki(spki: Uint8Array): Promise<EndorsedKey> {
  const id = toHex(spki);
  let endorsed = endorsedKeys.get(id);
  if (endorsed === undefined) {
    endorsed = importEndorsedKey(spki);
    endorsed.catch(() => endorsedKeys.delete(id));
    if (endorsedKeys.size >= MAX_ENDORSED_KEYS)
      endorsedKeys.delete(endorsedKeys.keys().next().value as string);
    endorsedKeys.set(id, endorsed);
  }
  return endorsed;
}

async function importEndorsedKey(spki: Uint8Array): Promise<EndorsedKey> {
  const key = await importEcPublicKey(spki);
  return Object.freeze({ instanceId: await instanceIdOf(key), key });
}

/**
 * Reads every `PUBLIC KEY` block of a PEM text, or one EC public key given as a JWK (JSON; only
 * `kty`, `crv`, `x` and `y` are read).
 */
export async function endorsedKeysFromPem(text: string): Promise<EndorsedKey[]> {
  if (text.trimStart().startsWith('{')) return [await endorsedKeyFromJwk(text)];
  const blocks = pemBlocks(text, 'PUBLIC KEY');
  if (blocks.length === 0) fail('ERR_ENDORSEMENT_UNKNOWN', 'no PUBLIC KEY block in the key file');
  return Promise.all(blocks.map(endorsedKeyFromSpki));
}

async function endorsedKeyFromJwk(text: string): Promise<EndorsedKey> {
  let jwk: Record<string, unknown>;
  try {
    jwk = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return fail('ERR_ENDORSEMENT_UNKNOWN', 'the key file is neither PEM nor a JSON JWK');
  }
  const { kty, crv, x, y } = jwk;
  if (kty !== 'EC' || (crv !== 'P-256' && crv !== 'P-384'))
    fail('ERR_ENDORSEMENT_UNKNOWN', 'the JWK is not an EC P-256/P-384 key');
  try {
    const key = await webcrypto.subtle.importKey(
      'jwk',
      { kty, crv, x: String(x), y: String(y) },
      { name: 'ECDSA', namedCurve: crv },
      true,
      ['verify'],
    );
    return endorsedKeyFromSpki(new Uint8Array(await webcrypto.subtle.exportKey('spki', key)));
  } catch {
    return fail('ERR_ENDORSEMENT_UNKNOWN', 'the JWK is not a valid EC public key');
  }
}

/**
 * Verifies a token naming `instanceId` with the key endorsed for that instance id, or with
 * `anyInstance` (offline verification with a key given) with any of the keys given, whatever
 * instance id the token names. No key for the instance id: ERR_ENDORSEMENT_UNKNOWN; no key that
 * verifies: ERR_EVIDENCE_SIGNATURE.
 */
export async function verifyWithEndorsedKey(
  sign1: CoseSign1,
  options: Pick<AppraisalOptions, 'keys' | 'anyInstance'>,
  instanceId: string,
): Promise<void> {
  const keys = options.keys ?? [];
  const candidates = options.anyInstance ? keys : keys.filter((k) => k.instanceId === instanceId);
  if (candidates.length === 0)
    fail('ERR_ENDORSEMENT_UNKNOWN', 'no endorsed platform key for this instance id', {
      instanceId,
    });
  let refusal: unknown;
  for (const candidate of candidates) {
    try {
      await verifyCoseSign1(sign1, candidate.key);
      return;
    } catch (error) {
      if (!(error instanceof AttestationError)) throw error;
      refusal = error;
    }
  }
  throw refusal;
}
