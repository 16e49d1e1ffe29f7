// Platform keys and their instance ids. PSA defines the instance id as 0x01 followed by the SHA-256
// of the attestation key's uncompressed EC point; our sim platform uses the same rule.
import { webcrypto } from 'node:crypto';
import { concatBytes, pemBlocks, sha256, toHex } from './bytes.js';
import { importEcPublicKey } from './cose.js';
import { fail } from './errors.js';
import type { EndorsedKey } from './platforms/types.js';

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

/** Reads every `PUBLIC KEY` block of a PEM text. */
export async function endorsedKeysFromPem(pem: string): Promise<EndorsedKey[]> {
  const blocks = pemBlocks(pem, 'PUBLIC KEY');
  if (blocks.length === 0) fail('ERR_ENDORSEMENT_UNKNOWN', 'no PUBLIC KEY block in the key file');
  return Promise.all(blocks.map(endorsedKeyFromSpki));
}

export function findKey(keys: readonly EndorsedKey[] | undefined, instanceId: string): EndorsedKey {
  const found = keys?.find((k) => k.instanceId === instanceId);
  if (!found)
    fail('ERR_ENDORSEMENT_UNKNOWN', 'no endorsed platform key for this instance id', {
      instanceId,
    });
  return found;
}
