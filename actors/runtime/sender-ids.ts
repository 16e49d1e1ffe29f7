// Sender ids in envelopes. Participants are named by the SHA-256 fingerprint of their policy
// certificate (`c:<hex>`), so the enclave finds their key, and their identity id, in the policy.
// Actors without a certificate when they first speak (a fresh enclave key before attestation, a host,
// a launcher) use a self-certifying id (`k:<compressed P-256 point>`): the key is the id, and what
// that key is trusted for is decided elsewhere (the enclave's by the phase 6 check of its chain).
import { webcrypto } from 'node:crypto';
import { sha256Hex } from '../../protocol/index.js';

const subtle = webcrypto.subtle;
const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** `c:<sha256 of the certificate DER>`. */
export function certificateSenderId(certificateDer: Uint8Array): string {
  return `c:${sha256Hex(certificateDer)}`;
}

/** Ids of keys already named (a CryptoKey is immutable, so its id never changes). */
const idsOfKeys = new WeakMap<webcrypto.CryptoKey, Promise<string>>();

/** `k:<hex compressed point>` for a P-256 public key. */
export function keySenderId(publicKey: webcrypto.CryptoKey): Promise<string> {
  let id = idsOfKeys.get(publicKey);
  if (id === undefined) {
    id = compressedPointId(publicKey);
    // A key that cannot be exported is refused again on the next call.
    id.catch(() => idsOfKeys.delete(publicKey));
    idsOfKeys.set(publicKey, id);
  }
  return id;
}

async function compressedPointId(publicKey: webcrypto.CryptoKey): Promise<string> {
  return pointSenderId(new Uint8Array(await subtle.exportKey('raw', publicKey)));
}

/** `k:<hex compressed point>` for an uncompressed P-256 point (65 bytes, 0x04 first). */
export function pointSenderId(raw: Uint8Array): string {
  const compressed = new Uint8Array(33);
  compressed[0] = 2 + ((raw[64] ?? 0) & 1);
  compressed.set(raw.subarray(1, 33), 1);
  return `k:${hex(compressed)}`;
}

/**
 * Keys named by `k:` ids so far, oldest first (bounded): every signed message on an events or trace
 * subject names its sender's key, and a watcher sees the same few senders many times.
 */
const keysOfSenderIds = new Map<string, Promise<webcrypto.CryptoKey | undefined>>();
const MAX_SENDER_KEYS = 1024;

/** The verification key named by a `k:` id, or undefined when the id is not one. */
export function keyFromSenderId(id: string): Promise<webcrypto.CryptoKey | undefined> {
  const point = /^k:(0[23][0-9a-f]{64})$/.exec(id)?.[1];
  if (point === undefined) return Promise.resolve(undefined);
  let key = keysOfSenderIds.get(id);
  if (key === undefined) {
    key = importPoint(point);
    if (keysOfSenderIds.size >= MAX_SENDER_KEYS)
      keysOfSenderIds.delete(keysOfSenderIds.keys().next().value as string);
    keysOfSenderIds.set(id, key);
  }
  return key;
}

async function importPoint(point: string): Promise<webcrypto.CryptoKey | undefined> {
  try {
    return await subtle.importKey('raw', Buffer.from(point, 'hex'), P256, true, ['verify']);
  } catch {
    return undefined;
  }
}

/** True when `publicKey` is the key a `k:` id names (compares the encoded points). */
export async function senderIdIsKey(id: string, publicKey: webcrypto.CryptoKey): Promise<boolean> {
  return (await keySenderId(publicKey)) === id;
}
