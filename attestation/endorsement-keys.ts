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

export async function endorsedKeyFromSpki(spki: Uint8Array): Promise<EndorsedKey> {
  const key = await importEcPublicKey(spki);
  return { instanceId: await instanceIdOf(key), key };
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
